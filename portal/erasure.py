"""The erasure registry: every model that holds personal data about an expert declares what erasure does to it.

A model joins by calling `register` (or `exempt`, with its reason) next to its definition, so that a new model
holding something about a person (a shortlist note, a rating, a reply) is erased with the rest by declaring
itself, and `tests/portal/test_erasure_registry.py` fails for a model with free text that declares nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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

    @property
    def files(self) -> list[str]:
        return [name for name in self.blank if isinstance(self.model._meta.get_field(name), models.FileField)]


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


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None


def personal_data_erase(*, subject_pk: int) -> None:
    """Blank or delete what every registered model and its history hold on the person; files go after commit.

    The caller writes its own record of the erasure (status, date, audit row); this only removes what the
    declarations name, so it must run inside the caller's transaction.
    """
    stored_files: list[tuple[models.FileField, str]] = []
    for entry in _registry.values():
        lookup = {entry.subject: subject_pk}
        history = _history_model(entry.model)
        tables = [entry.model._default_manager] + ([history._default_manager] if history else [])
        for table in tables:
            for name in entry.files:
                file_field = entry.model._meta.get_field(name)
                names = table.filter(**lookup).exclude(**{name: ""}).values_list(name, flat=True)
                stored_files += [(file_field, stored) for stored in names]
        for name in entry.clear:
            m2m = entry.model._meta.get_field(name)
            rows = entry.model._default_manager.filter(**lookup)
            m2m.remote_field.through.objects.filter(**{f"{m2m.m2m_field_name()}__in": rows}).delete()
            if m2m in HistoricalRecords.m2m_models:
                HistoricalRecords.m2m_models[m2m].objects.filter(**{f"history__{entry.subject}": subject_pk}).delete()
        if entry.delete:
            for table in tables:
                table.filter(**lookup).delete()
            continue
        values = {name: value(subject_pk) if callable(value) else value for name, value in entry.blank.items()}
        for table in tables:
            # A history table may leave out a field (the Expert's history keeps no name_key).
            present = {f.name for f in table.model._meta.concrete_fields}
            table.filter(**lookup).update(**{name: value for name, value in values.items() if name in present})

    # Files go only once the erasure is committed; a rolled-back erasure must not lose them.
    def delete_files() -> None:
        for file_field, name in sorted(set(stored_files), key=lambda item: item[1]):
            file_field.storage.delete(name)

    transaction.on_commit(delete_files)
