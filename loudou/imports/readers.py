"""Reading .csv and .xlsx files as a stream of rows (dicts by header) in bounded memory.

CSV encodings: UTF-8 (with or without BOM), GBK and GB18030, detected on a prefix
(utf-8-sig first, then gb18030, of which GBK is a subset) unless given. The delimiter is
sniffed among , ; TAB | on the same prefix. Every problem is an ImportFileError with a
stable code, never a traceback.

Limits: a line is read at most LINE_CELLS cell limits long; the header has at most
MAX_COLUMNS named columns; a file has at most LOUDOU_IMPORT_MAX_ROWS data rows (the next
one refuses the whole file, it is never cut short). Before openpyxl opens an .xlsx,
`check_xlsx` reads its zip directory and refuses a zip bomb (openpyxl inflates the shared
strings whole, even in read-only mode).
"""

import codecs
import csv
import datetime
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from loudou.imports.exceptions import ImportFileError

PREFIX_BYTES = 64 * 1024
SNIFF_CHARS = 8 * 1024
MAX_CELL = 1024 * 1024
#: A line may be this many cell limits long (several large cells in one row).
LINE_CELLS = 4
MAX_COLUMNS = 200
#: Records read after the header to find a first data row when the file is opened; past
#: them, `count` tells whether there is one.
HEAD_RECORDS = 1000
#: Characters of cells a job keeps of its first rows for the preview (`read_all`).
SAMPLE_CHARS = 1024 * 1024
#: Distinct values kept per column for the value mapping (`read_all`), and the longest
#: value kept (a longer one is free text, not something to map).
DISTINCT_VALUES = 200
DISTINCT_CHARS = 100
FORMULA_STARTS = set("=+-@\t\r")
DELIMITERS = ",;\t|"
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
ENCODINGS = ["utf-8-sig", "gb18030"]
_ALIASES = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "gbk": "gbk", "gb2312": "gbk"}
#: An .xlsx's zip directory: parts, and bytes of the directory itself (read whole).
MAX_PARTS = 10_000
MAX_DIRECTORY = 4 * 1024 * 1024
#: Parts smaller than this (inflated) may be compressed at any ratio.
RATIO_FLOOR = 1024 * 1024
MAX_CONTENT_TYPES = 1024 * 1024
_BAD_ZIP = (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, TypeError)


@dataclass
class Table:
    """An opened table: its headers, detected encoding/delimiter and a way to stream rows."""

    path: Path
    kind: str
    headers: list[str]
    encoding: str = ""
    delimiter: str = ","
    max_cell: int = MAX_CELL
    max_rows: int = 1_000_000
    _first: list[Any] = field(default_factory=list, repr=False)

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, {header: value}) for every non-blank data row; ImportFileError
        `too_many_rows` instead of the row after the last one allowed. Records, blank ones
        included, are capped at twice that: an .xlsx row numbered 10⁹ does not make a
        billion blank rows to skip."""
        source = _records(self)
        next(source, None)  # the header
        width = len(self.headers)
        data = records = 0
        for line, record in source:
            records += 1
            if records > 2 * self.max_rows:
                raise ImportFileError("too_many_rows", limit=f"{self.max_rows:,}")
            if not any(_filled(v) for v in record):
                continue
            data += 1
            if data > self.max_rows:
                raise ImportFileError("too_many_rows", limit=f"{self.max_rows:,}")
            record = list(record[:width]) + [""] * (width - len(record))
            yield line, dict(zip(self.headers, record, strict=True))

    def count(self) -> int:
        """Read the whole file once (checks every cell, the encoding and the row cap);
        the row count."""
        total = sum(1 for _row in self.rows())
        if not total:
            raise ImportFileError("no_rows")
        return total


def cell_text(value: Any) -> str:
    """A cell as the import reads it: stripped text (inner whitespace collapsed unless it
    spans lines), whole floats without ".0", times in ISO form, an export's neutralising
    apostrophe removed."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:  # neutralised by an export
        text = text[1:]
    return text


class Distinct:
    """The first DISTINCT_VALUES distinct values (as `cell_text` reads them) of each
    column, gathered over the whole file; a column with more, or with a longer value, is
    marked `more` and no longer looked at (so a column of ids costs nothing)."""

    def __init__(self, headers: list[str]):
        self.seen: dict[str, dict[str, None]] = {h: {} for h in headers}
        self.more: set[str] = set()

    def add(self, row: dict[str, Any]) -> None:
        for header, value in row.items():
            if header in self.more:
                continue
            text = cell_text(value)
            seen = self.seen[header]
            if not text or text in seen:
                continue
            if len(seen) >= DISTINCT_VALUES or len(text) > DISTINCT_CHARS:
                self.more.add(header)
            else:
                seen[text] = None

    def as_json(self) -> dict[str, dict[str, Any]]:
        return {h: {"values": list(v), "more": h in self.more} for h, v in self.seen.items()}


def read_all(
    table: Table, sample_rows: int, distinct: Distinct | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """One pass over the whole file (every cell, the encoding, the row cap): the row count
    and its first `sample_rows` rows as JSON ({"line", "cells"}, the cells in header order;
    rows stop there once SAMPLE_CHARS characters are kept). `distinct`, when given,
    gathers each column's distinct values on the way."""
    total, sample, kept = 0, [], 0
    for line, row in table.rows():
        total += 1
        if distinct is not None:
            distinct.add(row)
        if total <= sample_rows:
            cells = [_to_json(v) for v in row.values()]
            kept += sum(len(str(c)) for c in cells)
            if kept <= SAMPLE_CHARS:
                sample.append({"line": line, "cells": cells})
    if not total:
        raise ImportFileError("no_rows")
    return total, sample


def sample_rows(sample: list[dict[str, Any]], headers: list[str]) -> list[tuple[int, dict]]:
    """A kept sample as `Table.rows` gave it: (line, {header: value})."""
    return [
        (row["line"], dict(zip(headers, map(_from_json, row["cells"]), strict=True)))
        for row in sample
    ]


_TIMES = {"datetime": datetime.datetime, "date": datetime.date, "time": datetime.time}


def _to_json(value: Any) -> Any:
    """A cell as JSON: times (what an .xlsx has besides text, numbers and booleans) as
    {"type", "value"}."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return {"type": type(value).__name__, "value": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"type": "timedelta", "value": value.total_seconds()}
    return str(value)


def _from_json(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if value["type"] == "timedelta":
        return datetime.timedelta(seconds=value["value"])
    return _TIMES[value["type"]].fromisoformat(value["value"])


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def file_kind(name: str) -> str:
    """ "csv" or "xlsx" by the file name's suffix; ImportFileError for another one."""
    suffix = Path(name).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        return "csv"
    raise ImportFileError("unknown_format")


def check_file(path: str | Path) -> int:
    """The checks that need no parsing (an .xlsx's zip directory, a text file's first
    64 KB); the bytes a full read goes through (an .xlsx: its parts inflated)."""
    path = Path(path)
    if file_kind(path.name) == "xlsx":
        return check_xlsx(path)
    _prefix(path)
    return path.stat().st_size


def open_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_cell: int = MAX_CELL,
    max_rows: int | None = None,
) -> Table:
    """Open `path`, read its header (and look for a first row); raise ImportFileError if
    unusable. `max_rows`: LOUDOU_IMPORT_MAX_ROWS unless given."""
    path = Path(path)
    limits = {"max_cell": max_cell, "max_rows": max_rows or settings.LOUDOU_IMPORT_MAX_ROWS}
    if file_kind(path.name) == "xlsx":
        check_xlsx(path)
        table = Table(path=path, kind="xlsx", headers=[], **limits)
    else:
        prefix = _prefix(path)
        enc = _encoding(prefix, encoding)
        text = codecs.getincrementaldecoder(enc)().decode(prefix, final=False)
        table = Table(
            path=path,
            kind="csv",
            headers=[],
            encoding=enc,
            delimiter=delimiter or _sniff(text),
            **limits,
        )
    _read_head(table)
    return table


def _prefix(path: Path) -> bytes:
    with path.open("rb") as handle:
        prefix = handle.read(PREFIX_BYTES)
    if not prefix.strip():
        raise ImportFileError("empty")
    if b"\x00" in prefix:
        raise ImportFileError("binary")
    return prefix


def _encoding(prefix: bytes, wanted: str | None) -> str:
    if wanted:
        return _ALIASES.get(wanted.strip().lower(), wanted.strip().lower())
    for candidate in ENCODINGS:
        try:
            codecs.getincrementaldecoder(candidate)().decode(prefix, final=False)
        except UnicodeDecodeError:
            continue
        return candidate
    raise ImportFileError("binary")


def _sniff(text: str) -> str:
    """The delimiter, from at most the first 50 lines within SNIFF_CHARS: csv.Sniffer's
    quote regexes are quadratic (a crafted 64 KB line kept a request busy for 15 s)."""
    sample = text[:SNIFF_CHARS]
    if "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    sample = "\n".join(sample.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _read_head(table: Table) -> None:
    """The header (without the blank cells after its last name), then a first data row
    among the next HEAD_RECORDS records: none there and the file ended → no_rows."""
    source = _records(table)
    header = next(source, None)
    named = [i for i, v in enumerate(header[1] if header else []) if _filled(v)]
    if not named:
        raise ImportFileError("empty")
    if named[-1] + 1 > MAX_COLUMNS:
        raise ImportFileError("too_many_columns", count=named[-1] + 1, limit=MAX_COLUMNS)
    table.headers = _unique_headers(header[1][: named[-1] + 1])
    if len(table.headers) == 1 and any(d in table.headers[0] for d in DELIMITERS):
        raise ImportFileError("wrong_delimiter")
    for seen, (_line, record) in enumerate(source):
        if seen >= HEAD_RECORDS or any(_filled(v) for v in record):
            return
    raise ImportFileError("no_rows")


def _unique_headers(raw: list[Any]) -> list[str]:
    seen: dict[str, int] = {}
    headers = []
    for index, value in enumerate(raw, start=1):
        name = str(value).strip() if _filled(value) else f"列{index}"
        seen[name] = seen.get(name, 0) + 1
        headers.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return headers


def _records(table: Table) -> Iterator[tuple[int, list[Any]]]:
    if table.kind == "csv":
        return _csv_records(table)
    return _xlsx_records(table.path, table.max_cell)


def _lines(handle, limit: int) -> Iterator[str]:
    """Lines of at most `limit` characters: a longer one is refused before it is read."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit:
            raise ImportFileError("line_too_long", line=0, limit=f"{limit:,}")
        yield line


def _csv_records(table: Table) -> Iterator[tuple[int, list[str]]]:
    csv.field_size_limit(table.max_cell)
    line = 0
    try:
        with table.path.open(encoding=table.encoding, newline="") as handle:
            reader = csv.reader(
                _lines(handle, table.max_cell * LINE_CELLS),
                delimiter=table.delimiter,
                strict=True,
            )
            for record in reader:
                line = reader.line_num
                yield line, record
    except UnicodeDecodeError as error:
        raise ImportFileError("encoding", encoding=table.encoding, line=line + 1) from error
    except ImportFileError as error:
        if error.code == "line_too_long":
            raise ImportFileError(error.code, line=line + 1, limit=error.params["limit"]) from error
        raise
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError("cell_too_large", line=line + 1, limit=table.max_cell) from error
        raise ImportFileError("broken_quotes", line=line + 1) from error


def _xlsx_records(path: Path, max_cell: int = MAX_CELL) -> Iterator[tuple[int, list[Any]]]:
    try:
        book = _open_workbook(path)
    except _BAD_ZIP as error:
        raise ImportFileError("bad_xlsx") from error
    try:
        if not book.worksheets:
            raise ImportFileError("empty")
        sheet = book.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(isinstance(v, str) and len(v) > max_cell for v in values):
                raise ImportFileError("cell_too_large", line=line, limit=max_cell)
            yield line, ["" if v is None else v for v in values]
    finally:
        book.close()


def _open_workbook(path: Path):
    """openpyxl's read-only workbook with its first worksheet only, and without the size
    probe of its read-only sheets: on a sheet without a <dimension> element (openpyxl's
    own write-only files, our exports) that probe parses the whole sheet, at every open
    (11 s for 200,000 rows before a 20-row preview). Rows then come as the file has them
    (no padding to the sheet's width; `Table.rows` pads to the header's)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class Sheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            pass

    class FirstSheetReader(ExcelReader):
        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    self.wb._sheets.append(
                        Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    )
                    return

    reader = FirstSheetReader(path, read_only=True, data_only=True)
    try:
        reader.read()
    except BaseException:
        reader.archive.close()
        raise
    return reader.wb


def check_xlsx(path: Path) -> int:
    """Refuse a zip bomb before openpyxl inflates anything; the bytes it inflates to.

    Only the zip's directory is read, with the sizes zipfile then holds each part to: at
    most MAX_PARTS parts, LOUDOU_IMPORT_MAX_XLSX_UNCOMPRESSED bytes in all, no part over
    1 MB compressed more than LOUDOU_IMPORT_MAX_XLSX_RATIO to 1, and a shared-string
    table (which openpyxl reads whole) of at most LOUDOU_IMPORT_MAX_XLSX_SHARED_STRINGS."""
    _check_directory(path)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            strings = _shared_strings_part(archive)
    except _BAD_ZIP as error:
        raise ImportFileError("bad_xlsx") from error
    for part in parts:
        _check_part(part, strings)
    total = sum(part.file_size for part in parts)
    limit = settings.LOUDOU_IMPORT_MAX_XLSX_UNCOMPRESSED
    if total > limit:
        raise ImportFileError(
            "xlsx_too_large", size=filesizeformat(total), limit=filesizeformat(limit)
        )
    return total


def _check_directory(path: Path) -> None:
    """ZipFile reads the whole central directory into memory: refuse a huge one first.
    `_EndRecData` is private, but it is how ZipFile finds the directory it then reads, so
    the figures checked are the ones it acts on."""
    with path.open("rb") as handle:
        end = zipfile._EndRecData(handle)
    if end is None:
        raise ImportFileError("bad_xlsx")
    if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_PARTS or end[zipfile._ECD_SIZE] > MAX_DIRECTORY:
        raise ImportFileError("xlsx_parts", limit=f"{MAX_PARTS:,}")


def _shared_strings_part(archive: zipfile.ZipFile) -> str:
    """The name of the part openpyxl reads as the shared-string table, found as it finds
    it (the first override of that content type in [Content_Types].xml); "" for none."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    if archive.getinfo(ARC_CONTENT_TYPES).file_size > MAX_CONTENT_TYPES:
        raise ImportFileError("bad_xlsx")
    manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    part = manifest.find(SHARED_STRINGS)
    return part.PartName[1:] if part is not None else ""


def _check_part(part: zipfile.ZipInfo, strings: str) -> None:
    ratio = settings.LOUDOU_IMPORT_MAX_XLSX_RATIO
    if part.file_size > RATIO_FLOOR and part.file_size > ratio * max(part.compress_size, 1):
        raise ImportFileError("xlsx_ratio", part=part.filename[:80], limit=ratio)
    limit = settings.LOUDOU_IMPORT_MAX_XLSX_SHARED_STRINGS
    if part.filename == strings and part.file_size > limit:
        raise ImportFileError(
            "xlsx_strings", size=filesizeformat(part.file_size), limit=filesizeformat(limit)
        )
