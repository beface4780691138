"""When a save is refused because someone else saved first, nothing of either person is lost.

The form the person sent was opened on an older version. Comparing, field by field, that version
(from the expert's history), the person's values and the values stored now tells which fields only
the other person changed (the newer stored value is shown), which only this person changed (their
value is kept), and which both changed (their value is kept and the field is named, to be checked).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from roster.history import expert_history_m2m_sets
from roster.models import Expert
from roster.services import PROFILE_FIELDS

MERGED_M2M_FIELDS = ("assistance_types", "countries_worked_in")


@dataclass
class ProfileMerge:
    theirs: dict[str, Any] = field(default_factory=dict)  # fields only the other person changed: stored values
    both: list[str] = field(default_factory=list)  # fields both changed, differently


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(_comparable(item) for item in value)
    return value


def profile_merge(*, expert: Expert, base_version: int, submitted: Mapping[str, Any]) -> ProfileMerge:
    """Three-way comparison of the profile fields; `submitted` holds the person's cleaned form values."""
    merge = ProfileMerge()
    base = expert.history.filter(version=base_version).order_by("-history_date", "-history_id").first()
    if base is None:
        return merge
    current = Expert.objects.prefetch_related(*MERGED_M2M_FIELDS).get(pk=expert.pk)
    base_sets = expert_history_m2m_sets([base.history_id])
    versions: dict[str, tuple[Any, Any]] = {
        name: (getattr(base, f"{name}_id" if name == "nationality" else name),
               getattr(current, f"{name}_id" if name == "nationality" else name))
        for name in PROFILE_FIELDS
    }
    for name in MERGED_M2M_FIELDS:
        versions[name] = (
            [next(iter(link.values())) for link in base_sets[name][base.history_id]],
            list(getattr(current, name).all()),
        )
    for name, (before, stored) in versions.items():
        before, stored, mine = _comparable(before), _comparable(stored), _comparable(submitted.get(name))
        if stored in (before, mine):
            continue
        if mine == before:
            merge.theirs[name] = stored
        else:
            merge.both.append(name)
    return merge
