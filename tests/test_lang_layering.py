"""printers/ knows nothing of desktop/ or Qt, even in imports made inside functions (which an
import-everything test never runs): every import statement in its source is checked."""

from __future__ import annotations

import ast
from pathlib import Path

PRINTERS = Path(__file__).resolve().parent.parent / "printers"
FORBIDDEN = ("desktop", "PySide6", "shiboken6")


def _imported(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names.append(str(node.args[0].value))
    return names


def test_no_module_under_printers_imports_desktop_or_qt():
    files = sorted(PRINTERS.rglob("*.py"))
    assert len(files) > 30  # the whole package, not an empty glob
    offenders = [
        f"{path.relative_to(PRINTERS.parent)}: {name}"
        for path in files
        for name in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_the_check_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from desktop.shipment import Shipment\n    import importlib\n"
                     "    importlib.import_module('PySide6.QtCore')\n")
    assert [n.split(".")[0] for n in _imported(tree)] == ["desktop", "importlib", "PySide6"]
