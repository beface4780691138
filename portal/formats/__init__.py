"""One way to write a date per language, everywhere the portal shows one (pages, admin lists, mails, print).

Django's own locale formats give each language a long and a short form (and English a month-first short form,
read the other way round by most of the portal's readers); here the short forms are the long ones, so a date
reads the same in a table, a sentence and a mail. Templates name DATE_FORMAT or DATETIME_FORMAT, never a
pattern (tests/portal/test_date_formats.py). Spreadsheet exports and the JSON data download keep ISO 8601,
which every spreadsheet reads whatever its language.
"""

import re
from datetime import date, datetime

from django.utils import formats, timezone


def shown_moment(moment: datetime) -> str:
    """A moment as the templates' |date:"DATETIME_FORMAT" shows it, for text written in Python (admin names)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def shown_date(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


_ISO_DAY_OR_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?")


def shown_iso(value: object) -> object:
    """An ISO 8601 day or moment (as the JSON data download holds them) the reader's way; anything else as is."""
    if not isinstance(value, str) or not _ISO_DAY_OR_MOMENT.fullmatch(value):
        return value
    try:
        return shown_moment(datetime.fromisoformat(value)) if "T" in value else shown_date(date.fromisoformat(value))
    except ValueError:
        return value
