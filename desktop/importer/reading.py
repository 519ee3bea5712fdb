"""Reading an export into a header row and data rows, whatever its encoding — or refusing it
with the reason, never guessing and never crashing.

Shop back-ends in China export GB18030 without saying so, Brazilian and European ones
Windows-1252 (Latin-1), others UTF-8 with or without a BOM. Decoding is decided by rule:

- a BOM names the encoding (UTF-8, UTF-16 LE/BE), and the rest MUST decode under it;
- else strict UTF-8 (a GB18030 or Latin-1 file almost never decodes as UTF-8);
- else GB18030 and Windows-1252 are both tried, and each is *plausible* only if what it gives
  looks like text of its kind: GB18030 when at least 4 in 5 two-byte characters lie in the
  GB2312 rows Chinese text mostly uses (both bytes 0xA1-0xFE), Windows-1252 only when every
  non-ASCII character is a Latin letter or ordinary punctuation. Exactly one plausible: that
  one. Both or neither: the file is refused with the candidates and a sample word as each
  would read it, and the merchant chooses (``sigilo batch --encoding``), because
  "Luíza" read as GB18030 is "Lu韟a" and five valid rows of wrong names are worse than none.

The work is bounded before it starts: file size, rows, columns and cell length for CSV; for
XLSX also each part's unpacked size and compression ratio, XML comments, and no DTDs — a 36 KB
workbook can unpack to gigabytes, and a large XML comment took openpyxl minutes.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from desktop.importer.errors import ImportFileError
from desktop.i18n import _

XLSX_SUFFIXES = (".xlsx", ".xlsm")
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 256
MAX_CELL_CHARS = 131_072  # the csv module's own field limit
MAX_XML_PART_BYTES = 128 * 1024 * 1024  # one unpacked part of a workbook
MAX_XML_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed, for parts over 1 MB (real sheets pack 5-20x)
MAX_XML_COMMENT_BYTES = 64 * 1024

ENCODING_NAMES = {"gb18030": "GB18030 (Chinese)", "cp1252": "Windows-1252 / Latin-1 (Western European)",
                  "utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16"}
CHOOSABLE = ("utf-8", "gb18030", "cp1252", "utf-16")
_LATIN_PUNCT = set("°ºª«»–—‘’“”€·•…¡¿×÷§¶©®™£¥¢µ\u00a0")


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (row number in the file, header = 1; cells)
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "gb18030", "cp1252" or "xlsx"


class EncodingUncertain(ImportFileError):
    """The bytes decode more than one way (or no way) and nothing says which is meant."""

    def __init__(self, message: str, hint: str, candidates: tuple[str, ...], samples: dict[str, str]) -> None:
        super().__init__(message, hint)
        self.candidates = candidates
        self.samples = samples


# -- encodings ------------------------------------------------------------------------------

def _gb_plausible(data: bytes, text: str) -> bool:
    """Most two-byte characters (4 in 5) lie in the GB2312 rows every Chinese export mostly uses
    (both bytes 0xA1-0xFE) and none decodes to a private-use or unassigned character. A Latin-1
    accent followed by an ASCII letter (``í`` + ``z``) makes a pair whose second byte is below
    0xA1: text of that kind fails the first test."""
    clean = pairs = 0
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        pairs += 1
        if i + 1 < n and 0xA1 <= b <= 0xFE and 0xA1 <= data[i + 1] <= 0xFE:
            clean += 1
        i += 4 if i + 1 < n and 0x30 <= data[i + 1] <= 0x39 else 2  # GB18030's four-byte form
    if pairs == 0 or clean * 5 < pairs * 4:
        return False
    return not any(ord(ch) >= 0x80 and unicodedata.category(ch) in ("Co", "Cn") for ch in text)


def _latin_plausible(text: str) -> bool:
    for ch in text:
        if ord(ch) < 0x80:
            continue
        if ch in _LATIN_PUNCT:
            continue
        if unicodedata.category(ch).startswith("L") and "LATIN" in unicodedata.name(ch, ""):
            continue
        return False
    return True


def _sample(data: bytes, encodings) -> dict[str, str]:
    """The first word holding a non-ASCII byte, as each encoding reads it (the header row's
    when it has one: column names are not customers' data)."""
    first_line = data.split(b"\n", 1)[0]
    source = first_line if any(b >= 0x80 for b in first_line) else data
    pos = next((i for i, b in enumerate(source) if b >= 0x80), 0)
    start = max(source.rfind(b, 0, pos) for b in (b" ", b",", b"\t", b"\n", b";", b'"')) + 1
    ends = [e for e in (source.find(b, pos) for b in (b" ", b",", b"\t", b"\r", b"\n", b";", b'"')) if e != -1]
    word = source[start:min(ends + [pos + 24, len(source)])][:24]
    return {e: word.decode(e, errors="replace") for e in encodings}


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name) of a CSV's bytes, by the rules above; ``encoding`` is the
    merchant's explicit choice, which is used as given (strictly)."""
    if encoding:
        if encoding not in CHOOSABLE:
            raise ImportFileError(_("{encoding!r} is not an encoding Sigilo reads exports in").format(encoding=encoding),
                                  _("choose one of {choices}").format(choices=", ".join(CHOOSABLE)))
        try:
            if encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
                return data[3:].decode("utf-8"), "utf-8-sig"
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("the file is not valid {get} (byte {start} cannot be read)").format(get=ENCODING_NAMES.get(encoding, encoding), start=exc.start), _("choose another encoding, or export the file "
                                  "again as UTF-8 CSV or as XLSX")) from None
    boms = ((b"\xef\xbb\xbf", "utf-8", "utf-8-sig"), (b"\xff\xfe", "utf-16-le", "utf-16"),
            (b"\xfe\xff", "utf-16-be", "utf-16"))
    for bom, codec, name in boms:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), name
            except UnicodeDecodeError as exc:
                raise ImportFileError(_("the file starts with a {upper} byte-order mark but byte {value} is not valid {upper}").format(upper=codec.upper(), value=exc.start + len(bom)),
                                      _("export the file again as UTF-8 CSV or as XLSX")) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    plausible = []
    for codec in ("gb18030", "cp1252"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec == "gb18030" and _gb_plausible(data, text):
            plausible.append((codec, text))
        elif codec == "cp1252" and _latin_plausible(text):
            plausible.append((codec, text))
    if len(plausible) == 1:
        return plausible[0][1], plausible[0][0]
    candidates = tuple(c for c, _text in plausible) or ("gb18030", "cp1252")
    samples = _sample(data, candidates)
    shown = "; ".join(_("as {encoding}: {sample}").format(encoding=ENCODING_NAMES[c], sample=repr(samples[c]))
                      for c in candidates)
    if plausible:
        message = _("the file is not UTF-8 and could be read more than one way ({shown})").format(shown=shown)
    else:
        message = _("the file is not UTF-8, GB18030 or Windows-1252 text that Sigilo can read with certainty "
                    "({shown})").format(shown=shown)
    raise EncodingUncertain(message, _("choose the encoding that reads the sample right (sigilo batch --encoding "
                                       "{choices}), or export the file again as UTF-8 CSV or as XLSX").format(
                                           choices="|".join(candidates)),
                            candidates, samples)


# -- reading ---------------------------------------------------------------------------------

def read_table(path: Path, encoding: str | None = None) -> Table:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(_("cannot read {name}: {value}").format(name=path.name, value=exc.strerror or exc),
                              _("check the file name and that it is readable")) from exc
    if size > MAX_FILE_BYTES:
        raise ImportFileError(_("{name} is {value} MB; exports over {value2} MB are not read").format(name=path.name, value=size // (1024 * 1024), value2=MAX_FILE_BYTES // (1024 * 1024)),
                              _("split the orders into files of at most {MAX_ROWS:,} rows").format(MAX_ROWS=MAX_ROWS))
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(_("cannot read {name}: {value}").format(name=path.name, value=exc.strerror or exc),
                              _("check the file name and that it is readable")) from exc
    text, encoding = decode(data, encoding)
    delimiter = "\t" if encoding == "utf-16" and "\t" in text.split("\n", 1)[0] else ","  # Excel's "Unicode text"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(_csv_rows(reader, path), encoding, path)  # records, as a spreadsheet numbers rows


def _csv_rows(reader, path: Path):
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = reader.line_num
            if "field larger than field limit" in str(exc):
                raise ImportFileError(_("{name}, line {line}: a cell is longer than {limit:,} characters").format(
                                          name=path.name, line=where, limit=MAX_CELL_CHARS),
                                      _("check the quotes around that line; a cell that long is not an order field")) from None
            raise ImportFileError(_("{name}, line {line}: not readable as CSV ({error})").format(
                                      name=path.name, line=where, error=exc),
                                  _("export the orders again as CSV, or as XLSX")) from None
        number += 1
        yield number, cells


def _check_workbook_parts(path: Path) -> None:
    """Refuse before parsing: parts that unpack too large or too far (a zip bomb), DTDs
    (entity expansion), and long XML comments (which openpyxl reads very slowly)."""
    resave = _("save the workbook again from the spreadsheet program, or export CSV")
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            members = archive.infolist()
            if len(members) > 10_000:
                raise ImportFileError(_("{name} holds {parts:,} parts; a workbook of orders has a few dozen").format(
                                          name=path.name, parts=len(members)), resave)
            for info in members:
                if info.is_dir():
                    continue
                total += info.file_size
                if info.file_size > MAX_XML_PART_BYTES or total > MAX_XML_TOTAL_BYTES:
                    limit = (MAX_XML_PART_BYTES if info.file_size > MAX_XML_PART_BYTES else MAX_XML_TOTAL_BYTES)
                    raise ImportFileError(_("{name} unpacks to more than {mb} MB ({part}); it is not read").format(
                                              name=path.name, mb=limit // (1024 * 1024), part=info.filename),
                                          _("split the orders into workbooks of at most {rows:,} rows").format(rows=MAX_ROWS))
                if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise ImportFileError(_("{name}: the part {part} unpacks {ratio} times its packed size (at most "
                                            "{limit} is read)").format(
                                              name=path.name, part=info.filename,
                                              ratio=info.file_size // max(info.compress_size, 1), limit=MAX_RATIO),
                                          resave)
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    _scan_xml(archive, info, path)
    except ImportFileError:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, an encrypted member...: damage found unpacking
        raise ImportFileError(_("cannot open {name} as an Excel workbook ({kind})").format(name=path.name, kind=type(exc).__name__),
                              _("save it again as .xlsx, or export the orders as CSV")) from None


def _scan_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Stream one part: no DTD, and at most MAX_XML_COMMENT_BYTES inside comments."""
    comment_bytes, in_comment = 0, False
    carry, dtd_tail = b"", b""
    with archive.open(info) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            if b"<!DOCTYPE" in dtd_tail + chunk or b"<!ENTITY" in dtd_tail + chunk:
                raise ImportFileError(_("{name}: the part {part} declares a DTD, which Excel never writes").format(
                                          name=path.name, part=info.filename),
                                      _("save the workbook again from the spreadsheet program, or export CSV"))
            dtd_tail = chunk[-8:]
            data, pos = carry + chunk, 0
            while True:
                if in_comment:
                    end = data.find(b"-->", pos)
                    if end == -1:
                        comment_bytes += len(data) - pos
                        pos = len(data)
                        break
                    comment_bytes += end - pos
                    in_comment, pos = False, end + 3
                else:
                    begin = data.find(b"<!--", pos)
                    if begin == -1:
                        break
                    in_comment, pos = True, begin + 4
                if comment_bytes > MAX_XML_COMMENT_BYTES:
                    break
            if comment_bytes > MAX_XML_COMMENT_BYTES:
                raise ImportFileError(_("{name}: the part {part} holds more than {kb} KB of XML comments; it is not "
                                        "read").format(name=path.name, part=info.filename,
                                                       kb=MAX_XML_COMMENT_BYTES // 1024),
                                      _("save the workbook again from the spreadsheet program, or export CSV"))
            # carry the last bytes not yet matched, so a marker split across chunks is found
            carry = data[max(pos, len(data) - 3):] if not in_comment else data[-2:]
            if in_comment:
                comment_bytes -= len(carry)  # counted now, counted again with the next chunk


def _read_xlsx(path: Path) -> Table:
    import openpyxl

    _check_workbook_parts(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (KeyError, ValueError, XML and zip errors) for bad files
        raise ImportFileError(_("cannot open {name} as an Excel workbook ({kind})").format(name=path.name, kind=type(exc).__name__),
                              _("save it again as .xlsx, or export the orders as CSV")) from None
    try:
        if not book.worksheets:
            raise ImportFileError(_("{name} has no worksheet").format(name=path.name), _("save the orders in the workbook's first sheet"))
        sheet = book.worksheets[0]
        title = sheet.title

        def rows():
            number = 0
            iterator = sheet.iter_rows(values_only=True)
            while True:
                try:
                    values = next(iterator)
                except StopIteration:
                    return
                except Exception as exc:  # damage found only while the sheet is read (XML, zlib, zip)
                    raise ImportFileError(_("{name}, sheet {title!r}, after row {number}: the workbook is damaged ({kind})").format(name=path.name, title=title, number=number, kind=type(exc).__name__), _("save it again as .xlsx, or export the orders as CSV")) from None
                number += 1
                yield number, [_cell(v) for v in values]

        return _table(rows(), "xlsx", path, sheet=title)
    finally:
        book.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        return str(int(value))  # a phone or postcode Excel stored as a number
    return str(value)


def _table(rows, encoding: str, path: Path, sheet: str | None = None) -> Table:
    where = f"{path.name}, sheet {sheet!r}" if sheet else path.name
    headers: tuple[str, ...] | None = None
    data: list[tuple[int, tuple[str, ...]]] = []
    for number, cells in rows:
        if number > MAX_ROWS + 1:
            raise ImportFileError(_("{where} has more than {MAX_ROWS:,} rows; it is not read").format(where=where, MAX_ROWS=MAX_ROWS),
                                  _("split the orders into files of at most {MAX_ROWS:,} rows").format(MAX_ROWS=MAX_ROWS))
        if len(cells) > MAX_COLUMNS:
            raise ImportFileError(_("{where}, row {number}: more than {MAX_COLUMNS} columns").format(where=where, number=number, MAX_COLUMNS=MAX_COLUMNS),
                                  _("export only the order columns"))
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise ImportFileError(_("{where}, row {number}: a cell is longer than {MAX_CELL_CHARS:,} characters").format(where=where, number=number, MAX_CELL_CHARS=MAX_CELL_CHARS),
                                      _("a cell that long is not an order field; check the export"))
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
        raise ImportFileError(_("{name} is empty: no header row").format(name=where), _("export the orders again with the column names"))
    return Table(headers, tuple(data), encoding)
