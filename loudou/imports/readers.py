"""Reading .csv and .xlsx files as a stream of rows (dicts by header) in bounded memory.

CSV encodings: UTF-8 (with or without BOM), GBK and GB18030, detected on a prefix
(utf-8-sig first, then gb18030, of which GBK is a subset) unless given. The delimiter is
sniffed among , ; TAB | on the same prefix. Every problem is an ImportFileError with a
stable code, never a traceback.
"""

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loudou.imports.exceptions import ImportFileError

PREFIX_BYTES = 64 * 1024
MAX_CELL = 1024 * 1024
DELIMITERS = ",;\t|"
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
ENCODINGS = ["utf-8-sig", "gb18030"]
_ALIASES = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "gbk": "gbk", "gb2312": "gbk"}


@dataclass
class Table:
    """An opened table: its headers, detected encoding/delimiter and a way to stream rows."""

    path: Path
    kind: str
    headers: list[str]
    encoding: str = ""
    delimiter: str = ","
    max_cell: int = MAX_CELL
    _first: list[Any] = field(default_factory=list, repr=False)

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, {header: value}) for every non-blank data row."""
        source = _records(self)
        next(source, None)  # the header
        width = len(self.headers)
        for line, record in source:
            if not any(_filled(v) for v in record):
                continue
            record = list(record[:width]) + [""] * (width - len(record))
            yield line, dict(zip(self.headers, record, strict=True))

    def count(self) -> int:
        """Read the whole file once (checks every cell and the encoding); the row count."""
        return sum(1 for _row in self.rows())


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def open_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_cell: int = MAX_CELL,
) -> Table:
    """Open `path`, read its header and first row; raise ImportFileError if unusable."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        table = Table(path=path, kind="xlsx", headers=[], max_cell=max_cell)
    elif suffix in CSV_SUFFIXES:
        prefix = _prefix(path)
        enc = _encoding(prefix, encoding)
        text = codecs.getincrementaldecoder(enc)().decode(prefix, final=False)
        table = Table(
            path=path,
            kind="csv",
            headers=[],
            encoding=enc,
            delimiter=delimiter or _sniff(text),
            max_cell=max_cell,
        )
    else:
        raise ImportFileError("unknown_format")
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
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _read_head(table: Table) -> None:
    source = _records(table)
    header = next(source, None)
    if header is None or not any(_filled(v) for v in header[1]):
        raise ImportFileError("empty")
    table.headers = _unique_headers(header[1])
    if not any(any(_filled(v) for v in record) for _line, record in source):
        raise ImportFileError("no_rows")
    if len(table.headers) == 1 and any(d in table.headers[0] for d in DELIMITERS):
        raise ImportFileError("wrong_delimiter")


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
            raise ImportFileError("cell_too_large", line=0, limit=limit)
        yield line


def _csv_records(table: Table) -> Iterator[tuple[int, list[str]]]:
    csv.field_size_limit(table.max_cell)
    line = 0
    try:
        with table.path.open(encoding=table.encoding, newline="") as handle:
            reader = csv.reader(
                _lines(handle, table.max_cell * 4), delimiter=table.delimiter, strict=True
            )
            for record in reader:
                line = reader.line_num
                yield line, record
    except UnicodeDecodeError as error:
        raise ImportFileError("encoding", encoding=table.encoding, line=line + 1) from error
    except ImportFileError as error:
        if error.code == "cell_too_large":
            raise ImportFileError("cell_too_large", line=line + 1, limit=table.max_cell) from error
        raise
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError("cell_too_large", line=line + 1, limit=table.max_cell) from error
        raise ImportFileError("broken_quotes", line=line + 1) from error


def _xlsx_records(path: Path, max_cell: int = MAX_CELL) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError("bad_xlsx") from error
    try:
        sheet = book.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(isinstance(v, str) and len(v) > max_cell for v in values):
                raise ImportFileError("cell_too_large", line=line, limit=max_cell)
            yield line, ["" if v is None else v for v in values]
    finally:
        book.close()
