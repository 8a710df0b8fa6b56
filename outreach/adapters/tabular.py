"""CSV and XLSX logbook files: rows in, rows out, with the row numbers people see.

CSV: UTF-8 with or without a byte-order mark by default (another encoding on request),
the delimiter sniffed among `,` `;` and tab (European spreadsheets write `;`).
XLSX: the first sheet unless one is named. Row 1 holds the headers; data starts at row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.errors import InvalidInput, Problem

SUFFIXES = (".csv", ".xlsx")
SPREADSHEET_BYTES = 20 * 1024 * 1024  # a partners file larger than this is refused unread


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]


def check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput([Problem(str(path), None, "(file)", "use a .csv or .xlsx file")])
    return suffix


def read_rows(path: Path, sheet: str | None = None, encoding: str = "utf-8-sig") -> tuple[list[str], list[Row]]:
    """The headers and the non-empty rows of a logbook file."""
    suffix = check_suffix(path)
    _not_too_large(path)
    table: Iterator[Sequence[Any]]
    if suffix == ".csv":
        table = _read_csv(path, encoding)
    else:
        table = _read_xlsx(path, sheet)
    try:
        header = next(table)
    except StopIteration:
        raise InvalidInput(
            [Problem(str(path), 1, "(header)", "the file is empty; row 1 must name the columns")]
        ) from None
    headers = [_cell(value) for value in header]
    rows = []
    number = 1
    try:
        for number, cells in enumerate(table, start=2):
            values = {h: _cell(v) for h, v in zip(headers, cells, strict=False) if h}
            if any(values.values()):
                rows.append(Row(number, values))
    except csv.Error as error:
        raise InvalidInput([Problem(str(path), number + 1, "(file)", _csv_problem(error))]) from None
    return headers, rows


def _not_too_large(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader says what is wrong with a missing file
    if size > SPREADSHEET_BYTES:
        raise InvalidInput(
            [
                Problem(
                    str(path),
                    None,
                    "(file)",
                    f"{size / 2**20:.0f} MB; a partners file may be at most "
                    f"{SPREADSHEET_BYTES // 2**20} MB: split it into several files",
                )
            ]
        )


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return (
            f"a cell is longer than {csv.field_size_limit():,} characters (perhaps an unclosed quote); "
            "shorten it or close the quote"
        )
    return f"{text}; save the file again as CSV from the spreadsheet"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _restored(str(value).strip())


# A cell a spreadsheet would run as a formula ("=HYPERLINK(...)", "+cmd|..."): in CSV it is
# written behind an apostrophe, which spreadsheets show as text and import takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _restored(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def _read_csv(path: Path, encoding: str) -> Iterator[list]:
    try:
        text = path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise InvalidInput([Problem(str(path), None, "(file)", "no such file")]) from None
    except UnicodeDecodeError as error:
        raise InvalidInput(
            [
                Problem(
                    str(path),
                    None,
                    "(file)",
                    f"not readable as {encoding} ({error.reason}); save it as 'CSV UTF-8' or give the "
                    "file's encoding (e.g. --encoding cp1252)",
                )
            ]
        ) from None
    except LookupError:
        raise InvalidInput([Problem(str(path), None, "encoding", f"unknown encoding {encoding!r}")]) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InvalidInput(
            [
                Problem(
                    str(path),
                    line,
                    "(file)",
                    "holds NUL characters, which no text cell has; save it again as 'CSV UTF-8' from the spreadsheet",
                )
            ]
        )
    return iter(csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text)))


DELIMITERS = (";", ",", "\t")


def _dialect(text: str) -> type[csv.Dialect]:
    """The separator is the one the header row uses most (outside quotes): row 1 names every
    column, so a short or empty row further down cannot mislead it (the sniffer, which wants
    the same count on every line, was misled by one short row and read `;` files as one column)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: _outside_quotes(header, delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    if not counts[best]:
        return csv.excel

    class Spreadsheet(csv.excel):
        delimiter = best

    return Spreadsheet


def _outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def _read_xlsx(path: Path, sheet: str | None) -> Iterator[tuple]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InvalidInput([Problem(str(path), None, "(file)", "no such file")]) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as error:
        raise InvalidInput([Problem(str(path), None, "(file)", f"not a readable .xlsx workbook ({error})")]) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise InvalidInput(
            [Problem(str(path), None, "sheet", f"no sheet {sheet!r}; the workbook has {', '.join(book.sheetnames)}")]
        )
    worksheet = book[sheet] if sheet else book.worksheets[0]
    return worksheet.iter_rows(values_only=True)


def write_rows(path: Path, headers: list[str], rows: Iterable[list[str]]) -> None:
    """Write a logbook file; CSV as UTF-8 with a byte-order mark, so spreadsheets open it right."""
    if check_suffix(path) == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows([neutralised(value) for value in row] for row in rows)
        return
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("logbook")
    sheet.append(headers)
    for row in rows:
        sheet.append([_text_cell(sheet, value, WriteOnlyCell) for value in row])
    book.save(path)


def _text_cell(sheet, value: str, make):
    """Every value as a text cell: a string that starts with `=` is never a formula."""
    cell = make(sheet, value=value)
    cell.data_type = "s"
    return cell
