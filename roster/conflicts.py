"""The expert profile's side of portal.merge: which version the refused form was opened on, and what is stored now."""

from collections.abc import Mapping
from typing import Any

from portal.history import history_at_version
from portal.merge import FieldsMerge, fields_merge
from roster.history import expert_history_m2m_sets
from roster.models import Expert
from roster.services import PROFILE_FIELDS

MERGED_M2M_FIELDS = ("assistance_types", "countries_worked_in")


def _attname(name: str) -> str:
    return Expert._meta.get_field(name).attname


def profile_merge(*, expert: Expert, base_version: int, submitted: Mapping[str, Any]) -> FieldsMerge:
    """Three-way comparison of the profile fields; `submitted` holds the person's cleaned form values."""
    base = history_at_version(expert, base_version)
    if base is None:
        return FieldsMerge()
    current = Expert.objects.prefetch_related(*MERGED_M2M_FIELDS).get(pk=expert.pk)
    base_sets = expert_history_m2m_sets([base.history_id])
    before = {name: getattr(base, _attname(name)) for name in PROFILE_FIELDS}
    stored = {name: getattr(current, _attname(name)) for name in PROFILE_FIELDS}
    for name in MERGED_M2M_FIELDS:
        before[name] = [next(iter(link.values())) for link in base_sets[name][base.history_id]]
        stored[name] = list(getattr(current, name).all())
    return fields_merge(before=before, stored=stored, mine=submitted)
