"""The need's side of portal.merge: the version the refused form was opened on, and what is stored now."""

from collections.abc import Iterable, Mapping
from typing import Any

from simple_history.utils import get_m2m_reverse_field_name

from needs.models import NEED_HISTORY, Need
from portal.history import history_at_version
from portal.merge import FieldsMerge, fields_merge


def need_merge(*, need: Need, base_version: int, submitted: Mapping[str, Any], names: Iterable[str]) -> FieldsMerge:
    """Three-way comparison of the need's form fields; `submitted` holds the person's cleaned values."""
    base = history_at_version(need, base_version)
    if base is None:
        return FieldsMerge()
    current = Need.objects.prefetch_related("articles", "working_languages").get(pk=need.pk)
    before: dict[str, Any] = {}
    stored: dict[str, Any] = {}
    for name in names:
        model_field = Need._meta.get_field(name)
        if model_field.many_to_many:
            target = get_m2m_reverse_field_name(model_field)
            links = NEED_HISTORY.m2m_models[model_field].objects.filter(history_id=base.history_id)
            before[name] = [getattr(link, f"{target}_id") for link in links]
            stored[name] = list(getattr(current, name).all())
        else:
            before[name] = getattr(base, model_field.attname)
            stored[name] = getattr(current, model_field.attname)
    return fields_merge(before=before, stored=stored, mine=submitted)
