"""What can be checked here of the installers built on other systems, and the rules that keep
the bundle whole: every data file under resources/, one version, scripts that parse.

The Windows (Inno Setup) and macOS (.app/.dmg) builds run on those systems; Debian has no Inno
Setup compiler (nsis and wixl read other formats), so the .iss is checked for what the Linux
build shares with it: the launchers the spec makes, no version of its own, a per-machine install
with an uninstaller and the console companion on the PATH."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_no_data_file_lives_beside_the_code():
    # The bundle collects resources/ wholesale; a data file in a package folder would be found in
    # a checkout and missing from the bundle (roles.json and usb_vendors.json once were).
    stray = [p.relative_to(ROOT).as_posix() for pkg in ("desktop", "printers")
             for p in (ROOT / pkg).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".md")]
    assert stray == [], f"data files belong under resources/ (printers.resources.resource_path): {stray}"


def test_no_module_finds_files_beside_itself():
    # the same rule in code: paths come from the one helper, not from __file__
    offenders = []
    for path in list((ROOT / "desktop").rglob("*.py")) + list((ROOT / "printers").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ("printers/resources.py", "desktop/paths.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if "__file__" in text or "_MEIPASS" in text:
            offenders.append(rel)
    assert offenders == []


def test_the_resource_helper_finds_the_checkout_and_the_bundle(monkeypatch, tmp_path):
    from desktop import paths
    from printers import resources

    assert resources.resources_dir() == ROOT / "resources"
    assert resources.resource_path("operators", "roles.json").is_file()
    assert resources.resource_path("usb", "vendors.json").is_file()
    assert paths.resources_dir() == resources.resources_dir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_path("templates", "sheets.json") == tmp_path / "resources" / "templates" / "sheets.json"


def test_one_version_read_from_the_package_metadata():
    from importlib.metadata import version

    import desktop

    assert desktop.__version__ == version("sigilo") == VERSION
    result = subprocess.run([sys.executable, "-m", "desktop.cli", "--version"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == f"sigilo {VERSION}"
    # written nowhere else
    literal = re.compile(r"""(__version__\s*=\s*["']\d|AppVersion=\d|^Version:\s*\d)""", re.M)
    for path in [ROOT / "desktop" / "__init__.py", *INSTALLER.rglob("*")]:
        if path.is_file() and path.suffix != ".png":
            assert not literal.search(path.read_text(encoding="utf-8", errors="replace")), path


def test_the_changelog_has_this_version_or_unreleased_on_top():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings and (headings[0].startswith("Unreleased") or headings[0].startswith(VERSION))
    assert any(h.startswith(VERSION) for h in headings) or headings[0].startswith("Unreleased")


@pytest.mark.parametrize("script", ["linux/build-deb.sh", "macos/build-dmg.sh"])
def test_shell_scripts_parse(script):
    result = subprocess.run(["bash", "-n", str(INSTALLER / script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("script", ["linux/postinst", "linux/postrm"])
def test_maintainer_scripts_parse_as_posix_sh(script):
    # dpkg runs them with /bin/sh (dash on Debian), so no bash-isms
    shell = "dash" if Path("/bin/dash").exists() else "sh"
    result = subprocess.run([shell, "-n", str(INSTALLER / script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_the_spec_compiles_and_makes_the_launchers_the_installers_name():
    spec = (INSTALLER / "sigilo.spec").read_text(encoding="utf-8")
    compile(spec, "sigilo.spec", "exec")
    assert '(str(root / "resources"), "resources")' in spec  # resources/ collected wholesale
    assert 'installed_metadata("sigilo")' in spec  # the version travels with the bundle
    assert re.search(r'launcher\("sigilo-gui", console=False', spec)
    assert re.search(r'launcher\("sigilo", console=True', spec)
    assert 'name="Sigilo.app"' in spec
    assert "dist/Sigilo.app" in (INSTALLER / "macos" / "build-dmg.sh").read_text(encoding="utf-8")


def test_the_inno_script_installs_per_machine_with_the_console_companion():
    iss = (INSTALLER / "windows" / "sigilo.iss").read_text(encoding="utf-8")
    sections = re.findall(r"^\[(\w+)\]", iss, re.M)
    for name in ("Setup", "Files", "Icons", "Registry", "Code"):
        assert name in sections, name
    assert "AppVersion={#AppVersion}" in iss and "#ifndef AppVersion" in iss
    assert "PrivilegesRequired=admin" in iss
    assert "DefaultDirName={autopf}\\Sigilo" in iss
    icons = iss.split("[Icons]")[1].split("\n[")[0]
    assert "{app}\\sigilo-gui.exe" in icons and "{app}\\sigilo.exe" not in icons  # no console behind the GUI
    assert "{uninstallexe}" in icons
    assert 'ValueName: "Path"' in iss and "NeedsAddPath" in iss and "CurUninstallStepChanged" in iss
    assert 'Source: "..\\..\\dist\\sigilo\\*"' in iss
    # every file the script names exists in the checkout or is what the spec builds
    assert (INSTALLER / "windows" / "..\\..\\resources\\icons\\sigilo.ico".replace("\\", "/")).resolve().is_file()
    # Pascal blocks balance (Inno compiles [Code] with its own Pascal Script)
    code = iss.split("[Code]")[1]
    assert len(re.findall(r"\bbegin\b", code)) == len(re.findall(r"\bend;", code))
