"""Nothing of either person is lost when a save is refused because someone else saved first.

The refused form was opened on an older version. Comparing, field by field, that version, the
person's values and the values stored now tells which fields only the other person changed (their
newer stored value goes into the re-shown form, so saving again does not silently undo it), which
only this person changed (their value is kept) and which both changed (their value is kept and the
field is named, to be checked before saving again).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

from portal.history import history_at_version


@dataclass
class FieldsMerge:
    theirs: dict[str, Any] = field(default_factory=dict)  # only the other person changed these: stored values
    both: list[str] = field(default_factory=list)  # both changed these, differently: this person's value stays
    stored_version: int = 0  # the version the re-shown form is now based on


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


def version_merge(
    *,
    instance: models.Model,
    records: HistoricalRecords,
    base_version: int,
    submitted: Mapping[str, Any],
    names: Iterable[str],
) -> FieldsMerge:
    """Three-way comparison of a refused form's fields: the version it was opened on (from the history kept by
    `records`, many-to-many sets included), what is stored now, and `submitted`, the person's cleaned values."""
    model = type(instance)
    current = model._default_manager.get(pk=instance.pk)
    base = history_at_version(instance, base_version)
    if base is None:
        return FieldsMerge(stored_version=current.version)
    before: dict[str, Any] = {}
    stored: dict[str, Any] = {}
    for name in names:
        model_field = model._meta.get_field(name)
        if model_field.many_to_many:
            target = f"{get_m2m_reverse_field_name(model_field)}_id"
            links = records.m2m_models[model_field].objects.filter(history_id=base.history_id)
            before[name] = list(links.values_list(target, flat=True))
            stored[name] = list(getattr(current, name).values_list("pk", flat=True))
        else:
            before[name] = getattr(base, model_field.attname)
            stored[name] = getattr(current, model_field.attname)
    merge = fields_merge(before=before, stored=stored, mine=submitted)
    merge.stored_version = current.version
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
        messages.append(
            _("Their newer values are now shown for what you had not changed: %(fields)s.")
            % {"fields": ", ".join(str(labels[name]) for name in merge.theirs)}
        )
    if merge.both:
        messages.append(
            _("You both changed %(fields)s: your values are shown; compare them with what is stored now before saving.")
            % {"fields": ", ".join(str(labels[name]) for name in merge.both)}
        )
    return messages
