"""Nothing of either person is lost when a save is refused because someone else saved first.

The refused form was opened on an older version. Comparing, field by field, that version, the
person's values and the values stored now tells which fields only the other person changed (their
newer stored value goes into the re-shown form, so saving again does not silently undo it), which
only this person changed (their value is kept) and which both changed (their value is kept and the
field is named, to be checked before saving again).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _


@dataclass
class FieldsMerge:
    theirs: dict[str, Any] = field(default_factory=dict)  # only the other person changed these: stored values
    both: list[str] = field(default_factory=list)  # both changed these, differently: this person's value stays


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(_comparable(item) for item in value)
    return value


def fields_merge(*, before: Mapping[str, Any], stored: Mapping[str, Any], mine: Mapping[str, Any]) -> FieldsMerge:
    merge = FieldsMerge()
    for name in before:
        was, now, sent = _comparable(before[name]), _comparable(stored[name]), _comparable(mine.get(name))
        if now in (was, sent):
            continue
        if sent == was:
            merge.theirs[name] = stored[name]
        else:
            merge.both.append(name)
    return merge


def form_value_set(data: QueryDict, key: str, value: Any) -> None:
    """Put a stored value into posted form data, in the shape the form's widget sends it."""
    if isinstance(value, models.QuerySet | list | tuple | set):
        data.setlist(key, [str(_comparable(item)) for item in value])
    elif isinstance(value, bool):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
    elif isinstance(value, models.Model):
        data[key] = str(value.pk)
    elif isinstance(value, date):
        data[key] = value.isoformat()
    else:
        data[key] = "" if value is None else str(value)



def merge_messages(merge: FieldsMerge, labels: Mapping[str, Any]) -> list[str]:
    """What the re-shown form says about the merge, naming fields by their labels."""
    messages = []
    if merge.theirs:
        messages.append(_("Their newer values are now shown for what you had not changed: %(fields)s.")
                        % {"fields": ", ".join(str(labels[name]) for name in merge.theirs)})
    if merge.both:
        messages.append(_("You both changed %(fields)s: your values are shown; compare them with what is stored "
                          "now before saving.") % {"fields": ", ".join(str(labels[name]) for name in merge.both)})
    return messages
