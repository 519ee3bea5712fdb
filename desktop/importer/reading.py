"""Reading an export into a header row and data rows, whatever its encoding.

Shop back-ends in China export GB18030 without saying so, others UTF-8 with or without a BOM;
a merchant cannot be asked which. UTF-8 is strict enough that a GB18030 file almost never
decodes as UTF-8, so: BOM -> UTF-8; else strict UTF-8; else GB18030."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from desktop.importer.errors import ImportFileError
from desktop.i18n import _

XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (row number in the file, header = 1; cells)
    encoding: str  # "utf-8", "utf-8-sig", "gb18030" or "xlsx"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a CSV's bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("the file is neither UTF-8 nor GB18030 text"),
                              _("export it again as CSV (UTF-8 or GB18030) or as XLSX")) from exc


def read_table(path: Path) -> Table:
    path = Path(path)
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(_("cannot read {name}: {value}").format(name=path.name, value=exc.strerror or exc),
                              _("check the file name and that it is readable")) from exc
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    return _table(enumerate(reader, start=1), encoding, path)  # records, as a spreadsheet numbers rows


def _read_xlsx(path: Path) -> Table:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, BadZipFile, KeyError, ValueError) as exc:
        raise ImportFileError(_("cannot open {name} as an Excel workbook ({kind})").format(name=path.name, kind=type(exc).__name__),
                              _("save it again as .xlsx, or export the orders as CSV")) from exc
    try:
        sheet = book.worksheets[0]
        rows = ((number, [_cell(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1))
        return _table(rows, "xlsx", path)
    finally:
        book.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or postcode Excel stored as a number
    return str(value)


def _table(rows, encoding: str, path: Path) -> Table:
    headers: tuple[str, ...] | None = None
    data: list[tuple[int, tuple[str, ...]]] = []
    for number, cells in rows:
        cells = tuple(c.strip() for c in cells)
        if headers is None:
            if not any(cells):
                continue
            headers = cells
            continue
        if not any(cells):
            continue
        data.append((number, cells))
    if headers is None:
        raise ImportFileError(_("{name} is empty: no header row").format(name=path.name), _("export the orders again with the column names"))
    return Table(headers, tuple(data), encoding)
