"""What every bulk import shares: reading a CSV table and reporting problems as `row N, column: message`.

Rows are numbered as a spreadsheet shows them (the header is row 1), so that a State's officer can go
straight to the cell. Blank spreadsheet rows are skipped but still counted.

Files come as spreadsheets save them: UTF-8 (with or without a byte-order mark) or Windows-1252, as
Excel writes "CSV" in French and Spanish settings, and columns separated by commas or, in those same
settings, by semicolons. Both are detected (`csv_file_read`) and the import preview states what was found.
"""

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

NumberedRows = list[tuple[int, dict[str, str]]]
# Tried in this order: a Windows-1252 file with any accented letter is almost never valid UTF-8.
ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"))
SEPARATORS = (",", ";")
YES_NO = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
# Past 18 digits no column could hold the number anyway, and int() refuses more than 4,300 digits.
WHOLE_NUMBER_MAX_DIGITS = 18


@dataclass(frozen=True)
class ImportIssue:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass
class ImportOutcome:
    """Errors, or the plan for each row (an object with `action`: create, update or unchanged)."""

    errors: list[ImportIssue] = field(default_factory=list)
    planned: list[Any] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for plan in self.planned if plan.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


class CsvUnreadable(ValueError):
    """The bytes are neither UTF-8 nor Windows-1252 text."""


@dataclass(frozen=True)
class CsvFile:
    """A CSV file's text and how it was written."""

    text: str
    encoding: str
    separator: str

    def describe(self) -> str:
        if self.separator == ";":
            return _("Read as %(encoding)s text, columns separated by semicolons (;).") % {"encoding": self.encoding}
        return _("Read as %(encoding)s text, columns separated by commas (,).") % {"encoding": self.encoding}


def _separator(text: str) -> str:
    """The header's separator: column names hold neither sign, so the one the first line uses more wins."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def csv_file_read(raw: str | bytes) -> CsvFile:
    """The file's text without a byte-order mark, its encoding (UTF-8, else Windows-1252) and its separator;
    CsvUnreadable when the bytes are neither."""
    if isinstance(raw, str):
        return _csv_file(raw, "UTF-8")
    for codec, name in ENCODINGS:
        try:
            return _csv_file(raw.decode(codec), name)
        except UnicodeDecodeError:
            continue
    raise CsvUnreadable


def _csv_file(text: str, encoding: str) -> CsvFile:
    text = text.removeprefix("\ufeff")
    return CsvFile(text=text, encoding=encoding, separator=_separator(text))


# A line and its ending (\r\n, \r or \n, as io.StringIO(newline="") splits them), or the last line without one.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The text's lines one at a time: a StringIO holds a copy of the whole text at four bytes a character, 42 MB
    more for a 50,000-row file (issue 13)."""
    return (line.group() for line in _LINE.finditer(text))


def csv_table_read(
    raw: str | bytes, *, columns: Sequence[str], max_rows: int, optional: Sequence[str] = ()
) -> tuple[NumberedRows, list[ImportIssue]]:
    """The rows of a CSV file whose header holds every one of `columns` and any of `optional` (in any order),
    or every problem found. A row holds the columns of the header only: an optional column left out of
    the file is absent, so that importing it again leaves what is stored alone."""
    try:
        source = csv_file_read(raw)
    except CsvUnreadable:
        return [], [ImportIssue(1, "file", _("the file is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8"))]
    records = csv.reader(_lines(source.text), delimiter=source.separator)
    try:
        header = [name.strip() for name in next(records, [])]
    except csv.Error as exc:
        return [], [ImportIssue(1, "file", _("not readable as CSV: %(error)s") % {"error": exc})]
    if not header:
        return [], [ImportIssue(1, "header", _("the file is empty"))]
    errors = [ImportIssue(1, name, _("missing column")) for name in columns if name not in header]
    for position, name in enumerate(header):
        if name not in columns and name not in optional:
            errors.append(ImportIssue(1, name or "?", _("unknown column")))
        elif name in header[:position]:
            errors.append(ImportIssue(1, name, _("column given more than once")))
    if errors:
        return [], errors
    return _rows_read(records, header=header, max_rows=max_rows)


def _rows_read(
    records: Iterator[list[str]], *, header: list[str], max_rows: int
) -> tuple[NumberedRows, list[ImportIssue]]:
    """The records after a valid header, numbered as a spreadsheet shows them; blank lines are skipped."""
    errors: list[ImportIssue] = []
    rows: NumberedRows = []
    number = 1
    try:
        for number, record in enumerate(records, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                errors.append(
                    ImportIssue(
                        number,
                        "columns",
                        _("%(found)s fields, expected %(expected)s") % {"found": len(record), "expected": len(header)},
                    )
                )
                continue
            if len(rows) == max_rows:
                # Refused whole: the rows further on would only be held in memory (a 100,000-row file took 400 MB).
                errors.append(ImportIssue(1, "file", _("more than %(max)s rows; split the file") % {"max": max_rows}))
                break
            rows.append((number, dict(zip(header, record, strict=True))))
    except csv.Error as exc:
        errors.append(ImportIssue(number + 1, "file", _("not readable as CSV: %(error)s") % {"error": exc}))
    return rows, errors


def handed_over[T](items: list[T]) -> Iterator[T]:
    """The list's items in order, each taken out of the list as it is handed on (the list ends empty), so that a
    long file's rows are freed one by one as they are turned into something else rather than all at the end."""
    items.reverse()
    while items:
        yield items.pop()


def row_cells(number: int, row: Mapping[str, str | None], issues: list[ImportIssue]) -> dict[str, str]:
    """The row's cells without surrounding spaces or NUL characters, each NUL reported on its column.

    No text column can hold a NUL (PostgreSQL refuses it outright), and it is invisible in a spreadsheet;
    the rest of the cell is still checked, so that every other problem of the row is reported too.
    """
    cells = {}
    for column, value in row.items():
        text = value or ""
        if "\0" in text:
            issues.append(ImportIssue(number, column, _("contains a NUL character; remove it")))
            text = text.replace("\0", "")
        cells[column] = text.strip()
    return cells


def whole_number(text: str) -> int | None:
    """The number a cell of ASCII digits holds, or None: int() reads some other digits (Arabic-Indic,
    full-width) and fails on others (superscripts), so a file means the same thing whichever it uses."""
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= WHOLE_NUMBER_MAX_DIGITS else 10**WHOLE_NUMBER_MAX_DIGITS


def yes_no(text: str) -> bool | None:
    """true/false, 1/0 or yes/no, in any case; None for anything else."""
    return YES_NO.get(text.lower())
