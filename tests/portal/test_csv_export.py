"""Every CSV the portal hands out is safe to open in a spreadsheet (CSV injection)."""

import csv
import io

import pytest

from portal.csv_export import csv_lines, csv_safe_cell


@pytest.mark.parametrize(
    "text",
    [
        "=HYPERLINK(1)",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        " =1+1",
        "  @x",
        "\n=1",
        "\r\n+1",
        "\u200b=1",
        "\ufeff=1",
        "\u2060-1",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
        " \u200b＝1",
    ],
)
def test_a_cell_that_a_spreadsheet_could_read_as_a_formula_is_quoted(text):
    assert csv_safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Mutual legal assistance", " plain", "46;48", "", None, 3, "a=b", "e-mail"])
def test_other_cells_are_written_as_they_are(value):
    assert csv_safe_cell(value) == ("" if value is None else str(value))


def test_the_lines_are_one_csv_file_with_every_cell_made_safe():
    text = "".join(csv_lines(["title", "n"], [["=1", 2], ["ok, quoted", None]]))
    assert text.startswith("\ufeff"), "a UTF-8 byte-order mark, so that Excel reads the file as UTF-8"
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        ["title", "n"],
        ["'=1", "2"],
        ["ok, quoted", ""],
    ]
