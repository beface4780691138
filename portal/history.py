"""History rows: written once per change (with the many-to-many sets), and told to people as what changed."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

from portal.formats import shown_date, shown_moment


@contextmanager
def one_history_row(
    instance: models.Model, *, records: HistoricalRecords, by: models.Model | None, history_type: str
) -> Iterator[None]:
    """Write one history row after the row and its many-to-many sets are saved, not one per save() and set().

    `records` is the model's HistoricalRecords, kept as a module attribute (see NEED_HISTORY, EXPERT_HISTORY).
    """
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving
    instance._history_user = by
    records.create_historical_record(instance, history_type)


def history_at_version(instance: models.Model, version: int) -> models.Model | None:
    """The latest history row of `instance` that holds `version` (the optimistic-locking counter)."""
    return instance.history.filter(version=version).order_by("-history_date", "-history_id").first()


# --- what a history row changed, for people -----------------------------------------------------------------

# Bookkeeping every tracked model has; a reader learns nothing from it.
NOT_SHOWN = frozenset({"id", "version", "created_at", "updated_at", "created_by"})
# Long texts are shortened in a row; the full text is on the record.
TEXT_SHOWN_CHARS = 80


@dataclass(frozen=True)
class FieldChange:
    """One field of one history row: its label in the reader's language, and what it was and became.

    `withheld` changes name the field only (a CV's stored name, a confidential message): that it changed is
    something the reader may know, what it holds is not shown in a history row.
    """

    name: str
    label: str
    before: str = ""
    after: str = ""
    withheld: bool = False


def shown_fields(model: type[models.Model], *, records: HistoricalRecords) -> list[models.Field]:
    """The fields of `model` its history keeps and a person reads: those whose label is translated."""
    kept = [field for field in model._meta.concrete_fields if field.name not in records.excluded_fields]
    kept += [model._meta.get_field(name) for name in records.m2m_fields]
    return [field for field in kept if field.name not in NOT_SHOWN and isinstance(field.verbose_name, Promise)]


def history_m2m_sets(
    *, model: type[models.Model], records: HistoricalRecords, history_ids: Sequence[int]
) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """The many-to-many sets held by some history rows, one query a set, in simple_history's diff form."""
    sets: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for name in records.m2m_fields:
        relation = model._meta.get_field(name)
        target = get_m2m_reverse_field_name(relation)
        by_history: dict[int, list[dict[str, Any]]] = {history_id: [] for history_id in history_ids}
        links = (
            records.m2m_models[relation]
            .objects.filter(history_id__in=list(history_ids))
            .select_related(target)
            .order_by(target)
        )
        for link in links:
            by_history[link.history_id].append({target: getattr(link, target)})
        sets[name] = by_history
    return sets


def _shown(field: models.Field, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        # In the sets' own order (articles by number), each as the portal names it ("52. Prevention ...").
        return ", ".join(_shown(field, item) for item in value)
    if isinstance(value, models.Model):
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return shown_moment(value)
    if isinstance(value, date):
        return shown_date(value)
    if isinstance(field, models.TextField):
        return Truncator(value).chars(TEXT_SHOWN_CHARS)
    return str(value)


def history_changes(
    rows: Sequence[models.Model],
    *,
    model: type[models.Model],
    records: HistoricalRecords,
    withheld: frozenset[str] = frozenset(),
) -> dict[int, list[FieldChange]]:
    """What each history row changed against the row before it, by history_id; `rows` newest first.

    The oldest row given is compared with nothing (pass one row more than is shown). Related rows are read
    once per foreign key and many-to-many set, not once per history row.
    """
    fields = shown_fields(model, records=records)
    sets = history_m2m_sets(model=model, records=records, history_ids=[row.history_id for row in rows])
    related = {}
    for field in fields:
        if field.many_to_one:
            ids = {getattr(row, field.attname) for row in rows} - {None}
            related[field.name] = field.related_model._default_manager.in_bulk(ids)

    def value(row: models.Model, field: models.Field) -> Any:
        if field.many_to_many:
            return [link for links in sets[field.name][row.history_id] for link in links.values()]
        if field.many_to_one:
            return related[field.name].get(getattr(row, field.attname))
        return getattr(row, field.attname)

    changes: dict[int, list[FieldChange]] = {}
    for newer, older in zip(rows, rows[1:], strict=False):
        found = []
        for field in fields:
            before, after = value(older, field), value(newer, field)
            if before == after:
                continue
            label = capfirst(str(field.verbose_name))
            if field.name in withheld or isinstance(field, models.FileField):
                found.append(FieldChange(field.name, label, withheld=True))
            else:
                found.append(FieldChange(field.name, label, _shown(field, before), _shown(field, after)))
        changes[newer.history_id] = found
    return changes


class HistoryChangesAdmin(SimpleHistoryAdmin):
    """The admin's history page names each changed field in the reader's language, with its old and new value
    written as the portal writes it (a status by its label, a State by its name, a date in the language's
    format), and reads the many-to-many sets in one query each instead of two per set and row."""

    history_records: HistoricalRecords  # the model's, kept as a module attribute (NEED_HISTORY, EXPERT_HISTORY)

    def set_history_delta_changes(self, request: HttpRequest, historical_records, foreign_keys_are_objs=True) -> None:
        records = list(historical_records)
        changes = history_changes(records, model=self.model, records=self.history_records)
        for record in records:
            record.history_delta_changes = [
                {"field": change.label, "old": change.before, "new": change.after}
                if not change.withheld
                else {"field": change.label, "old": gettext("(not shown)"), "new": gettext("(not shown)")}
                for change in changes.get(record.history_id, [])
            ]
