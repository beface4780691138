"""CSV files the portal hands out, each cell made safe to open in a spreadsheet; every export writes through here.

Each file starts with a UTF-8 byte-order mark: without it Excel opens a UTF-8 file as the local code page
(Windows-1252 in French and Spanish settings) and shows "CÃ´te d'Ivoire"; other spreadsheets and
Python's "utf-8-sig" read it as a mark, not as text. Where a person reads a code, a column with its name
in the reader's language stands next to it; the codes stay what an import reads back.
"""

import csv
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import batched

from django.http import StreamingHttpResponse

BYTE_ORDER_MARK = "\ufeff"
LINES_PER_PIECE = 200

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection); some read the
# full-width forms, as typed with an East Asian input method, as the ASCII ones.
FORMULA_SIGNS = frozenset("=+-@＝＋－＠")
# Characters a spreadsheet drops or lets through before reading the sign; a tab or carriage return
# at the very start is also how a formula is smuggled past a naive check.
CONTROL_STARTS = frozenset("\t\r")


def _skipped_before_a_formula(character: str) -> bool:
    # Spaces, line breaks and invisible format characters (zero-width space, joiner, byte order mark).
    return character.isspace() or unicodedata.category(character) == "Cf"


def csv_safe_cell(value: object) -> str:
    """The value as text, with a leading apostrophe when a spreadsheet could take it for a formula."""
    text = "" if value is None else str(value)
    if text[:1].isalnum():
        # Most cells (names, codes, dates, positive numbers): a letter or digit first is never a formula.
        return text
    if text[:1] in CONTROL_STARTS:
        return "'" + text
    for character in text:
        if not _skipped_before_a_formula(character):
            return "'" + text if character in FORMULA_SIGNS else text
    return text


class _Echo:
    """A file that hands back what is written to it, so that rows can be streamed as they are made."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The lines of a CSV file, a few hundred at a time (for a streaming response), every cell made safe."""
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK + writer.writerow(header)
    # One piece per line made the response encode and send 5,000 pieces for 5,000 needs.
    for lines in batched(rows, LINES_PER_PIECE):
        yield "".join([writer.writerow([csv_safe_cell(value) for value in row]) for row in lines])


def csv_response(filename: str, header: Iterable[str], rows: Iterable[Iterable[object]]) -> StreamingHttpResponse:
    """A CSV file to download, streamed as its rows are made."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
