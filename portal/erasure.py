"""The erasure registry: every model that holds personal data about an expert declares what erasure does to it.

A model joins by calling `register` (or `exempt`, with its reason) next to its definition, so that a new model
holding something about a person (a shortlist note, a rating, a reply) is erased with the rest by declaring
itself, and `tests/portal/test_erasure_registry.py` fails for a model with free text that declares nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from simple_history.models import HistoricalRecords


@dataclass(frozen=True)
class Erasable:
    model: type[models.Model]
    # Lookup from a row to the erased person's primary key: "id" on the person's own model, "expert" on its parts.
    subject: str
    # Each field's value after erasure: a constant, or a function of the erased person's primary key.
    blank: Mapping[str, Any] = field(default_factory=dict)
    # Free-text fields kept on purpose, each with the reason it names nobody or must stay.
    keep: Mapping[str, str] = field(default_factory=dict)
    # The rows go entirely, with their history, when nothing in them is worth keeping without the person.
    delete: bool = False
    # Many-to-many sets emptied, with their history.
    clear: tuple[str, ...] = ()

    def _tables(self) -> list[models.Manager]:
        history = _history_model(self.model)
        return [self.model._default_manager] + ([history._default_manager] if history else [])

    def _file_fields(self) -> list[models.FileField]:
        return [
            f
            for f in self.model._meta.concrete_fields
            if isinstance(f, models.FileField) and (self.delete or f.name in self.blank)
        ]

    def stored_files(self, subject_pk: int) -> list[tuple[models.FileField, str]]:
        """The stored files the rows about the person name, now or in their history."""
        found = []
        for table in self._tables():
            for file_field in self._file_fields():
                rows = table.filter(**{self.subject: subject_pk}).exclude(**{file_field.name: ""})
                found += [(file_field, name) for name in rows.values_list(file_field.name, flat=True)]
        return found

    def erase(self, subject_pk: int) -> None:
        lookup = {self.subject: subject_pk}
        for name in self.clear:
            m2m = self.model._meta.get_field(name)
            rows = self.model._default_manager.filter(**lookup)
            m2m.remote_field.through.objects.filter(**{f"{m2m.m2m_field_name()}__in": rows}).delete()
            if m2m in HistoricalRecords.m2m_models:
                HistoricalRecords.m2m_models[m2m].objects.filter(**{f"history__{self.subject}": subject_pk}).delete()
        # The rows first, then their history: deleting a row writes one more history row, which goes too.
        for table in self._tables():
            if self.delete:
                table.filter(**lookup).delete()
                continue
            # A history table may leave out a field (the Expert's history keeps no name_key).
            present = {f.name for f in table.model._meta.concrete_fields}
            values = {name: value(subject_pk) if callable(value) else value for name, value in self.blank.items()}
            table.filter(**lookup).update(**{name: value for name, value in values.items() if name in present})


_registry: dict[type[models.Model], Erasable] = {}
_exempt: dict[type[models.Model], str] = {}


def register(
    model: type[models.Model],
    *,
    subject: str,
    blank: Mapping[str, Any] | None = None,
    keep: Mapping[str, str] | None = None,
    delete: bool = False,
    clear: tuple[str, ...] = (),
) -> None:
    _registry[model] = Erasable(model, subject, dict(blank or {}), dict(keep or {}), delete, clear)


def exempt(model: type[models.Model], *, reason: str) -> None:
    """Declare that a model holds no personal data of an expert, and why."""
    _exempt[model] = reason


def registered() -> list[Erasable]:
    return list(_registry.values())


def exemptions() -> dict[type[models.Model], str]:
    return dict(_exempt)


def records_of(*, subject_pk: int, besides_apps: frozenset[str]) -> dict[str, list[dict[str, Any]]]:
    """What the registered models of other apps hold on the person, for the person's own export.

    Keyed by model label ("matching.shortlistentry"), one dict per row of its own columns, without the link back
    to the person, the staff accounts involved or internal counters. Dates are left as they are: the caller
    decides how to write them.
    """
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in _registry.values():
        meta = entry.model._meta
        if meta.app_label in besides_apps:
            continue
        names = [
            f.attname
            for f in meta.concrete_fields
            if f.name != entry.subject.split("__")[0]
            and f.name != "version"
            and not (f.is_relation and getattr(f.related_model, "_meta", None) and _is_user_model(f.related_model))
        ]
        rows = list(entry.model._default_manager.filter(**{entry.subject: subject_pk}).order_by("pk").values(*names))
        if rows:
            found[meta.label_lower] = rows
    return found


def _is_user_model(model: type[models.Model]) -> bool:
    return model._meta.label == settings.AUTH_USER_MODEL


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None


def personal_data_erase(*, subject_pk: int) -> None:
    """Blank or delete what every registered model and its history hold on the person; files go after commit.

    The caller writes its own record of the erasure (status, date, audit row); this only removes what the
    declarations name, so it must run inside the caller's transaction.
    """
    entries = list(_registry.values())
    stored = {found for entry in entries for found in entry.stored_files(subject_pk)}
    for entry in entries:
        entry.erase(subject_pk)

    # Files go only once the erasure is committed; a rolled-back erasure must not lose them.
    def delete_files() -> None:
        for file_field, name in sorted(stored, key=lambda item: item[1]):
            file_field.storage.delete(name)

    transaction.on_commit(delete_files)
