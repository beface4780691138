import csv
import io

import pytest

from portal.csv_import import CsvUnreadable, csv_file_read, csv_table_read, row_cells, whole_number

COLUMNS = ("a", "b")


def _read(text, max_rows=10):
    rows, errors = csv_table_read(text, columns=COLUMNS, max_rows=max_rows)
    return rows, [str(error) for error in errors]


def test_rows_are_numbered_as_a_spreadsheet_shows_them_blank_rows_counted():
    rows, errors = _read("b,a\n1,2\n,\n3,4\n")
    assert errors == []
    assert rows == [(2, {"b": "1", "a": "2"}), (4, {"b": "3", "a": "4"})]


def test_every_header_problem_is_reported_on_row_1():
    assert _read("a,a,c\n")[1] == [
        "row 1, b: missing column",
        "row 1, a: column given more than once",
        "row 1, c: unknown column",
    ]


# Excel in French and Spanish settings saves "CSV" as Windows-1252 with semicolons (issue 12, item 7);
# such files were refused before, and are now read as they are.
def test_a_windows_1252_file_with_semicolons_is_read_as_excel_wrote_it():
    rows, errors = _read("a;b\nCôte d'Ivoire;Œuvre — 5 €\n".encode("cp1252"))
    assert errors == []
    assert rows == [(2, {"a": "Côte d'Ivoire", "b": "Œuvre — 5 €"})]


def test_semicolons_inside_a_comma_separated_file_stay_in_their_cell():
    rows, errors = _read("a,b\n46;48,fr;en\n")
    assert errors == [] and rows == [(2, {"a": "46;48", "b": "fr;en"})]


@pytest.mark.parametrize(
    "raw, described",
    [
        (b"a,b\n1,2\n", "Read as UTF-8 text, columns separated by commas (,)."),
        ("\ufeffa;b\nÉ;2\n".encode(), "Read as UTF-8 text, columns separated by semicolons (;)."),
        ("a;b\nÉ;2\n".encode("cp1252"), "Read as Windows-1252 text, columns separated by semicolons (;)."),
        ('a,b\n"x;y",2\n', "Read as UTF-8 text, columns separated by commas (,)."),
    ],
)
def test_the_encoding_and_separator_found_are_stated(raw, described):
    found = csv_file_read(raw)
    assert found.describe() == described
    assert not found.text.startswith("\ufeff")


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused():
    # 0x81 and 0x8d have no character in Windows-1252, and are not UTF-8 on their own.
    with pytest.raises(CsvUnreadable):
        csv_file_read(b"a,b\n\x81\x8d,1\n")
    assert _read(b"a,b\n\x81\x8d,1\n")[1] == [
        "row 1, file: the file is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8"
    ]


def test_a_byte_order_mark_is_not_part_of_the_first_column_name():
    assert _read("\ufeffa,b\n1,2\n".encode())[1] == []


def test_too_many_rows_are_refused():
    assert _read("a,b\n" + "1,2\n" * 3, max_rows=2)[1] == ["row 1, file: more than 2 rows; split the file"]


def test_a_row_with_the_wrong_number_of_fields_is_named():
    assert _read("a,b\n1,2\n1\n")[1] == ["row 3, columns: 1 fields, expected 2"]


def test_a_whole_number_is_written_in_ascii_digits_only():
    assert [whole_number(text) for text in ("0", "046", "71", "", "-1", "4.0", "²", "٤٦", "４６")] == [
        0,
        46,
        71,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert whole_number("9" * 5000) > 10**17, "more digits than int() reads are still a (too large) number"


def test_nul_characters_are_reported_on_their_column_and_the_rest_of_the_cell_kept():
    issues = []
    assert row_cells(7, {"a": " x\x00y ", "b": None}, issues) == {"a": "xy", "b": ""}
    assert [str(issue) for issue in issues] == ["row 7, a: contains a NUL character; remove it"]


def test_a_file_over_the_row_limit_is_refused_without_reading_the_rows_after_it():
    rows, errors = _read("a,b\n" + "1,2\n" * 3 + "a row with one field\n", max_rows=2)
    assert errors == ["row 1, file: more than 2 rows; split the file"]
    assert len(rows) == 2


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_lines_end_as_spreadsheets_end_them_and_quoted_cells_keep_their_line_breaks(ending):
    text = ending.join(["a,b", '"one', 'two",2', "", '3,"x\r\ny"', "4,5"])  # the last line has no ending
    rows, errors = _read(text)
    expected = list(csv.reader(io.StringIO(text, newline="")))
    assert errors == []
    assert [list(row.values()) for _number, row in rows] == [record for record in expected[1:] if record]
    assert [number for number, _row in rows] == [2, 4, 5]
