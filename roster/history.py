"""History of an expert's parts (languages, articles, posts, degrees) and of the expert's many-to-many sets.

A write changes only what changed: the wanted rows are compared with the stored ones, and the removed are
deleted, the changed updated and the new created, each leaving one history row that names who acted. An
unchanged save therefore leaves no history of the parts at all.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import batched

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from roster.models import (
    EXPERT_HISTORY,
    EXPERT_M2M_HISTORY_FIELDS,
    Education,
    Employment,
    Expert,
    ExpertArticle,
    ExpertLanguage,
)

BATCH = 1000


@dataclass
class PartsDiff:
    create: list[models.Model] = field(default_factory=list)
    update: list[models.Model] = field(default_factory=list)
    delete: list[models.Model] = field(default_factory=list)

    def extend(self, other: "PartsDiff") -> None:
        self.create += other.create
        self.update += other.update
        self.delete += other.delete


def _values(row: models.Model, names: Sequence[str]) -> tuple:
    return tuple(getattr(row, name) for name in names)


def parts_diff_keyed(
    *, stored: Iterable[models.Model], wanted: Iterable[models.Model], key: Sequence[str], fields: Sequence[str]
) -> PartsDiff:
    """Rows with a key of their own (an expert's language, an expert's article): matched by that key."""
    by_key = {_values(row, key): row for row in stored}
    diff = PartsDiff()
    for row in wanted:
        current = by_key.pop(_values(row, key), None)
        if current is None:
            diff.create.append(row)
        elif _values(current, fields) != _values(row, fields):
            for name in fields:
                setattr(current, name, getattr(row, name))
            diff.update.append(current)
    diff.delete = list(by_key.values())
    return diff


def parts_diff_rows(
    *, stored: Iterable[models.Model], wanted: Iterable[models.Model], fields: Sequence[str]
) -> PartsDiff:
    """Rows without a key (a post, a degree) of one expert, which the form sends without their identity.

    A wanted row equal to a stored one keeps it; the remaining ones are paired in the order shown, so that an
    edited row reads as one change of that row; what is left over is added or removed.
    """
    left = list(stored)
    unmatched = []
    for row in wanted:
        same = next((current for current in left if _values(current, fields) == _values(row, fields)), None)
        if same is None:
            unmatched.append(row)
        else:
            left.remove(same)
    diff = PartsDiff()
    for current, row in zip(left, unmatched, strict=False):
        for name in fields:
            setattr(current, name, getattr(row, name))
        diff.update.append(current)
    paired = min(len(left), len(unmatched))
    diff.create = unmatched[paired:]
    diff.delete = left[paired:]
    return diff


def parts_write(model: type[models.Model], diff: PartsDiff, *, fields: Sequence[str], by: User | None) -> None:
    """Apply a diff, with one history row per deleted, updated and created row, naming `by`."""
    for row in diff.delete:
        # One by one so that each "-" history row names who removed it; removals are few.
        row._history_user = by
        row.delete()
    if diff.update:
        # One UPDATE per distinct set of new values: levels take a handful of values, so a re-import that changes
        # thousands of levels costs a few queries, not a CASE expression per row (see imports._write).
        groups: dict[tuple, list[int]] = defaultdict(list)
        for row in diff.update:
            groups[_values(row, fields)].append(row.pk)
        for values, pks in groups.items():
            for chunk in batched(pks, BATCH):
                model._default_manager.filter(pk__in=chunk).update(**dict(zip(fields, values, strict=True)))
        model.history.bulk_history_create(diff.update, batch_size=BATCH, update=True, default_user=by)
    if diff.create:
        bulk_create_with_history(diff.create, model, batch_size=BATCH, default_user=by)


def expert_history_bulk_create(experts: Sequence[Expert], *, by: User | None, update: bool) -> None:
    """History rows for experts written in bulk, each with its many-to-many sets as they now stand."""
    if not experts:
        return
    rows = Expert.history.bulk_history_create(experts, batch_size=500, update=update, default_user=by)
    history_ids = {row.id: row.history_id for row in rows}
    for name in EXPERT_M2M_HISTORY_FIELDS:
        relation = Expert._meta.get_field(name)
        through = relation.remote_field.through
        history_link = EXPERT_HISTORY.m2m_models[relation]
        attnames = [f.attname for f in through._meta.concrete_fields]
        links = through.objects.filter(expert_id__in=list(history_ids)).values_list(*attnames)
        expert_at = attnames.index("expert_id")
        history_link.objects.bulk_create(
            [
                history_link(history_id=history_ids[values[expert_at]], **dict(zip(attnames, values, strict=True)))
                for values in links.iterator()
            ],
            batch_size=BATCH,
        )


# --- showing it ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartChange:
    at: datetime
    part: str
    kind: str
    before: str
    after: str
    user: User | None


def _describe(part: str, row: models.Model) -> str:
    if part == "language":
        # The label suffix as forms write it: "Espagnol : B1" in French.
        return f"{row.language.display_name}{_(':')} {row.get_level_display()}"
    if part == "expertise":
        return _("Article %(number)s, %(title)s: %(level)s") % {
            "number": row.article_id,
            "title": row.article.display_name,
            "level": row.get_level_display(),
        }
    if part == "employment":
        years = f"{row.start_year}–{row.end_year or ''}"
        return f"{row.position}, {row.employer} ({years})"
    return ", ".join(str(value) for value in (row.degree, row.field_of_study, row.institution, row.year) if value)


PARTS = (
    ("language", ExpertLanguage, ["language"], gettext_lazy("Language")),
    ("expertise", ExpertArticle, ["article"], gettext_lazy("UNCAC article")),
    ("employment", Employment, [], gettext_lazy("Employment")),
    ("education", Education, [], gettext_lazy("Education")),
)
KINDS = {"+": gettext_lazy("Added"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Removed")}


def expert_parts_changes(*, expert_id: int, limit: int = 100) -> list[PartChange]:
    """The latest changes of an expert's parts, newest first, with what a changed row was before: one query a part."""
    changes: list[PartChange] = []
    for part, model, related, label in PARTS:
        rows = list(
            model.history.filter(expert_id=expert_id)
            .select_related("history_user", *related)
            .order_by("-history_date", "-history_id")[:limit]
        )
        for position, newer in enumerate(rows):
            previous = next((row for row in rows[position + 1 :] if row.id == newer.id), None)
            changes.append(
                PartChange(
                    at=newer.history_date,
                    part=capfirst(str(label)),
                    kind=str(KINDS[newer.history_type]),
                    before=_describe(part, previous) if previous is not None and newer.history_type == "~" else "",
                    after=_describe(part, newer),
                    user=newer.history_user,
                )
            )
    changes.sort(key=lambda change: change.at, reverse=True)
    return changes[:limit]
