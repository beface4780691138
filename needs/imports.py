"""Bulk import of needs from CSV, shared by `manage.py import_needs` and the secretariat admin.

All or nothing: every row is checked before anything is written, so one bad row among a thousand
leaves the register exactly as it was, and the report names every bad row.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import batched
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from needs.models import NEED_HISTORY, Need
from needs.services import NEED_FIELDS, NEED_RELATIONS, need_changes_apply, need_relations_check
from portal.csv_import import ImportIssue, ImportOutcome, csv_table_read, row_cells, whole_number, yes_no
from reference.models import Article, AssistanceType, Country, Language, LanguageLevel
from reference.names import InLanguage

# The file's name for each of the need's fields, where it differs from the field's.
COLUMN_OF_FIELD = {"requesting_state": "country", "working_languages": "languages"}
FILE_COLUMNS = tuple(COLUMN_OF_FIELD.get(name, name) for name in NEED_FIELDS)
# Left out of a file, these keep what is stored (or the model's default for a new need).
OPTIONAL_COLUMNS = ("remote", "on_site", "desired_from", "desired_until", "min_language_level")
LANGUAGE_LEVELS = {label.upper(): value for value, label in LanguageLevel.choices if value != LanguageLevel.NATIVE}
COLUMNS = tuple(column for column in FILE_COLUMNS if column not in OPTIONAL_COLUMNS)
MAX_ROWS = 20_000
EXTERNAL_ID_MAX = Need._meta.get_field("external_id").max_length
TITLE_MAX = Need._meta.get_field("title").max_length
REFERENCE_MAX = Need._meta.get_field("source_reference").max_length
BATCH = 500
CLOSED = (Need.Status.ADDRESSED, Need.Status.CANCELLED)
ArticleLink = Need.articles.through
LanguageLink = Need.working_languages.through


# The need's own columns, read as values rather than model objects (the export's cost was the objects).
OWN_FIELDS = tuple(name for name in NEED_FIELDS if name not in NEED_RELATIONS)


def _linked_order(target: str, key: str | InLanguage) -> str:
    if isinstance(key, InLanguage):
        return f"{target}__{key.base}_en"
    return f"-{target}__{key[1:]}" if key.startswith("-") else f"{target}__{key}"


def _need_links(name: str, need_pks: Sequence[int]) -> dict[int, list[str]]:
    """The pks linked to each need through one many-to-many field, in the linked model's own order (as a
    prefetch would list them) taken in English, so that a file's codes are listed alike whatever the
    reader's language, in one query."""
    relation = Need._meta.get_field(name)
    source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    ordering = [_linked_order(target, key) for key in relation.related_model._meta.ordering]
    links: dict[int, list[str]] = {}
    through = relation.remote_field.through
    quote = connection.ops.quote_name
    column = f"{quote(through._meta.db_table)}.{quote(through._meta.get_field(source).column)}"
    # The chunk's pks go to the database as they are: Django's IN lookup prepares each of them in Python, some
    # 30 ms of the 5,000-need export's time for its two relations (issue 13).
    in_chunk = f"{column} IN ({', '.join(['%s'] * len(need_pks))})"
    rows = through.objects.extra(where=[in_chunk], params=list(need_pks))  # noqa: S610 - pks as parameters, names quoted
    rows = rows.order_by(*ordering)
    for need_pk, linked_pk in rows.values_list(f"{source}_id", f"{target}_id"):
        links.setdefault(need_pk, []).append(str(linked_pk))
    return links


def need_file_rows(
    needs: QuerySet[Need], *, extra: Sequence[str] = (), chunk_size: int
) -> Iterator[tuple[int, list[object], tuple[Any, ...]]]:
    """Each need's pk, its cells as a file holds them (in the order of FILE_COLUMNS: what an import reads back),
    and the values of the `extra` lookups. One query for the needs, and one per relation for each chunk of them."""
    rows = needs.prefetch_related(None).values_list(
        "pk", *(Need._meta.get_field(name).attname for name in OWN_FIELDS), *extra
    )
    for chunk in batched(rows.iterator(chunk_size=chunk_size), chunk_size):
        pks = [row[0] for row in chunk]
        links = {name: _need_links(name, pks) for name in NEED_RELATIONS}
        for pk, *values in chunk:
            own = dict(zip(OWN_FIELDS, values[: len(OWN_FIELDS)], strict=True))
            cells: list[object] = []
            for name in NEED_FIELDS:
                if name in NEED_RELATIONS:
                    cells.append(";".join(links[name].get(pk, ())))
                    continue
                value = own[name]
                if name == "min_language_level":
                    value = LanguageLevel(value).label
                cells.append(int(value) if isinstance(value, bool) else value)
            yield pk, cells, tuple(values[len(OWN_FIELDS) :])


@dataclass
class PlannedNeed:
    """One valid row and what importing it will do: create, update or leave unchanged."""

    row: int
    external_id: str
    action: str
    values: dict[str, Any]
    need: Need | None = None
    changed_fields: list[str] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class NeedImportResult(ImportOutcome):
    planned: list[PlannedNeed] = field(default_factory=list)


class _Lookups:
    """Reference data read once per import, so that checking 20,000 rows costs a handful of queries."""

    def __init__(self) -> None:
        self.countries = {country.iso3: country for country in Country.objects.all()}
        self.articles = {article.pk: article for article in Article.objects.all()}
        self.languages = {language.code: language for language in Language.objects.all()}
        self.types = {kind.code: kind for kind in AssistanceType.objects.all()}


# How a check reports a problem: the column, then the message.
_Report = Callable[[str, str], None]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _check_text(value: str, *, column: str, max_length: int, required: str | None, error: _Report) -> str:
    """The cell as it is; `required` is what to say when it is empty, None when it may be."""
    if not value and required:
        error(column, required)
    elif len(value) > max_length:
        error(column, _("longer than %(max)d characters") % {"max": max_length})
    return value


def _check_list[T](cell: str, *, column: str, find: Callable[[str], T | None], unknown: str, error: _Report) -> list[T]:
    """The distinct items a ';'-separated cell names, in its order; `unknown` names a part as %(value)r."""
    items: list[T] = []
    for part in _split(cell):
        item = find(part)
        if item is None:
            error(column, unknown % {"value": part})
        elif item not in items:
            items.append(item)
    return items


def _check_relations(values: Mapping[str, Any], *, named: set[str], error: _Report) -> None:
    """The service's rule on articles and working languages, on the columns not already named for a bad value."""
    try:
        need_relations_check(articles=values["articles"], working_languages=values["working_languages"])
    except ValidationError as refused:
        for name, messages in refused.message_dict.items():
            column = COLUMN_OF_FIELD.get(name, name)
            if column not in named:
                for message in messages:
                    error(column, message)


def _check_row(number: int, row: Mapping[str, str], lookups: _Lookups) -> tuple[dict[str, Any], list[ImportIssue]]:
    errors: list[ImportIssue] = []
    values: dict[str, Any] = {}
    row = row_cells(number, row, errors)

    def error(column: str, message: str) -> None:
        errors.append(ImportIssue(number, column, message))

    values["external_id"] = _check_text(
        row["external_id"],
        column="external_id",
        max_length=EXTERNAL_ID_MAX,
        required=_("required, so that importing again updates instead of duplicating"),
        error=error,
    )

    code = row["country"].upper()
    if code not in lookups.countries:
        error("country", _("unknown ISO 3166 alpha-3 code %(code)r") % {"code": row["country"]})
    values["requesting_state"] = lookups.countries.get(code)

    values["articles"] = _check_list(
        row["articles"],
        column="articles",
        find=lambda part: lookups.articles.get(whole_number(part)),
        unknown=_("%(value)r is not an UNCAC article number (1 to 71)"),
        error=error,
    )

    kind = row["assistance_type"].lower()
    if kind not in lookups.types:
        error(
            "assistance_type",
            _("unknown type %(value)r; use one of %(codes)s") % {"value": kind, "codes": ", ".join(lookups.types)},
        )
    values["assistance_type"] = lookups.types.get(kind)

    values["working_languages"] = _check_list(
        row["languages"],
        column="languages",
        find=lambda part: lookups.languages.get(part.lower()),
        unknown=_("%(value)r is not a known ISO 639-1 language code"),
        error=error,
    )
    _check_relations(values, named={issue.column for issue in errors}, error=error)

    for column, choices in (("priority", Need.Priority.values), ("source", Need.Source.values)):
        value = row[column].lower()
        if value not in choices:
            error(column, _("%(value)r is not one of %(choices)s") % {"value": value, "choices": ", ".join(choices)})
        values[column] = value

    values["title"] = _check_text(
        row["title"], column="title", max_length=TITLE_MAX, required=_("required"), error=error
    )
    values["description"] = row["description"]
    values["source_reference"] = _check_text(
        row["source_reference"], column="source_reference", max_length=REFERENCE_MAX, required=None, error=error
    )

    cycle = row["review_cycle"]
    cycle_number = whole_number(cycle)
    if cycle_number is None or not 1 <= cycle_number <= 32767:
        error("review_cycle", _("%(value)r is not a review cycle number (1, 2, …)") % {"value": cycle})
    else:
        values["review_cycle"] = cycle_number

    _check_optional(row, values, error=error)
    return values, errors


def _check_optional(row: Mapping[str, str], values: dict[str, Any], *, error: _Report) -> None:
    """The optional columns the file holds; one it leaves out sets nothing, so a stored value stays."""
    for column in ("remote", "on_site"):
        if column in row:
            # Empty is the model's default: both kinds of assistance unless the file says otherwise.
            answer = yes_no(row[column]) if row[column] else True
            if answer is None:
                error(column, _("%(value)r is not one of true, false, 1, 0, yes, no") % {"value": row[column]})
            values[column] = answer
    for column in ("desired_from", "desired_until"):
        if column in row:
            values[column] = _check_day(row[column], column=column, error=error)
    level = row.get("min_language_level", "").upper()
    if level and level not in LANGUAGE_LEVELS:
        error(
            "min_language_level",
            _("%(value)r is not one of %(levels)s") % {"value": level, "levels": ", ".join(LANGUAGE_LEVELS)},
        )
    elif level:
        values["min_language_level"] = LANGUAGE_LEVELS[level]


def _check_day(text: str, *, column: str, error: _Report) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        error(column, _("%(value)r is not a date as YYYY-MM-DD") % {"value": text})
        return None


def _plan(rows: Sequence[tuple[int, Mapping[str, str]]], result: NeedImportResult) -> None:
    lookups = _Lookups()
    seen: dict[str, int] = {}
    checked: list[tuple[int, dict[str, Any]]] = []
    for number, row in rows:
        values, errors = _check_row(number, row, lookups)
        external_id = values["external_id"]
        if external_id and external_id in seen:
            errors.append(
                ImportIssue(
                    number,
                    "external_id",
                    _("%(id)r already appears in row %(row)d") % {"id": external_id, "row": seen[external_id]},
                )
            )
        seen.setdefault(external_id, number)
        result.errors.extend(errors)
        if not errors:
            checked.append((number, values))
    if result.errors:
        return
    existing = {
        need.external_id: need
        for need in Need.objects.filter(external_id__in=[values["external_id"] for _n, values in checked])
        .select_related("requesting_state")
        .prefetch_related("articles", "working_languages")
    }
    for number, values in checked:
        need = existing.get(values["external_id"])
        if need is None:
            result.planned.append(PlannedNeed(number, values["external_id"], "create", values))
            continue
        changed = _changed_fields(need, values)
        if changed and need.status in CLOSED:
            # The portal refuses to change an addressed or cancelled need; so does the import.
            message = _("%(id)r is a need that is %(status)s; a closed need is not changed (differs in %(fields)s)")
            status = need.get_status_display().lower()
            result.errors.append(
                ImportIssue(
                    number,
                    "external_id",
                    message % {"id": values["external_id"], "status": status, "fields": ", ".join(changed)},
                )
            )
            continue
        result.planned.append(
            PlannedNeed(number, values["external_id"], "update" if changed else "unchanged", values, need, changed)
        )


def _changed_fields(need: Need, values: Mapping[str, Any]) -> list[str]:
    changed = []
    for name, value in values.items():
        if name == "articles":
            differs = {a.pk for a in need.articles.all()} != {a.pk for a in value}
        elif name == "working_languages":
            differs = {lang.pk for lang in need.working_languages.all()} != {lang.pk for lang in value}
        elif name in ("requesting_state", "assistance_type"):
            differs = getattr(need, f"{name}_id") != value.pk
        else:
            differs = getattr(need, name) != value
        if differs:
            changed.append(name)
    return changed


class _RowRefused(Exception):
    def __init__(self, error: ImportIssue) -> None:
        super().__init__(str(error))
        self.error = error


def _write(result: NeedImportResult, *, by: User | None) -> None:
    # Lock what will be updated: a change made since the check is compared afresh, not overwritten blindly.
    locked = Need.objects.select_for_update().in_bulk(
        [plan.need.pk for plan in result.planned if plan.action == "update" and plan.need is not None]
    )
    for plan in result.planned:
        if plan.action == "update" and plan.need is not None:
            plan.need = locked[plan.need.pk]
            if plan.need.status in CLOSED:  # closed since the check
                raise _RowRefused(
                    ImportIssue(
                        plan.row,
                        "external_id",
                        _("%(id)r is a need that is %(status)s")
                        % {"id": plan.external_id, "status": plan.need.get_status_display().lower()},
                    )
                )
            try:
                plan.changes = need_changes_apply(need=plan.need, by=by, data=plan.values)
            except ValidationError as exc:  # a rule the row checks cannot see, e.g. stored desired dates
                raise _RowRefused(ImportIssue(plan.row, "row", "; ".join(exc.messages))) from exc
    _insert_all([plan for plan in result.planned if plan.action == "create"], by=by)


# The fields the model's CheckConstraints read; rows alike in these pass or fail them alike, so the
# constraints are checked once per distinct combination instead of once per row (each check is a
# query). The title constraint (not empty) is also the field's blank=False, checked for every row.
CONSTRAINT_FIELDS = (
    "priority",
    "source",
    "status",
    "review_cycle",
    "remote",
    "on_site",
    "desired_from",
    "desired_until",
    "min_language_level",
    "version",
)


def _insert_all(plans: Sequence[PlannedNeed], *, by: User | None) -> None:
    """Insert the new needs with a few bulk queries per 500 rows instead of some forty per row.

    Every row is validated like a single insert (fields, relations, uniqueness of external_id, the
    database constraints) and receives the same single history row, with its articles and languages.
    """
    if not plans:
        return
    needs: list[Need] = []
    checked_shapes: set[tuple[Any, ...]] = set()
    for plan in plans:
        values = dict(plan.values)
        articles, languages = values.pop("articles"), values.pop("working_languages")
        need = Need(created_by=by, **values)
        try:
            need_relations_check(articles=articles, working_languages=languages)
            # The related rows come from the lookups just read; the external_id is checked for the whole file below.
            need.full_clean(
                exclude=["requesting_state", "assistance_type", "created_by"],
                validate_unique=False,
                validate_constraints=False,
            )
            shape = tuple(getattr(need, name) for name in CONSTRAINT_FIELDS)
            if shape not in checked_shapes:
                need.validate_constraints()
                checked_shapes.add(shape)
        except ValidationError as exc:
            raise _RowRefused(ImportIssue(plan.row, "row", "; ".join(exc.messages))) from exc
        need._history_user = by
        plan.need = need
        needs.append(need)
    # Recorded by someone else since the check: refuse the file, as a single insert would.
    taken = set(
        Need.objects.filter(external_id__in=[need.external_id for need in needs]).values_list("external_id", flat=True)
    )
    for plan in plans:
        if plan.external_id in taken:
            error = plan.need.unique_error_message(Need, ("external_id",))
            raise _RowRefused(ImportIssue(plan.row, "row", "; ".join(error.messages)))
    Need.objects.bulk_create(needs, batch_size=BATCH)
    article_links = ArticleLink.objects.bulk_create(
        [
            ArticleLink(need_id=need.pk, article_id=article.pk)
            for need, plan in zip(needs, plans, strict=True)
            for article in plan.values["articles"]
        ],
        batch_size=BATCH,
    )
    language_links = LanguageLink.objects.bulk_create(
        [
            LanguageLink(need_id=need.pk, language_id=language.pk)
            for need, plan in zip(needs, plans, strict=True)
            for language in plan.values["working_languages"]
        ],
        batch_size=BATCH,
    )
    history = {row.id: row for row in Need.history.bulk_history_create(needs, batch_size=BATCH, default_user=by)}
    for field_name, links, target in (
        ("articles", article_links, "article_id"),
        ("working_languages", language_links, "language_id"),
    ):
        history_link = NEED_HISTORY.m2m_models[Need._meta.get_field(field_name)]
        history_link.objects.bulk_create(
            [
                history_link(
                    history_id=history[link.need_id].history_id,
                    id=link.id,
                    need_id=link.need_id,
                    **{target: getattr(link, target)},
                )
                for link in links
            ],
            batch_size=BATCH,
        )


@transaction.atomic
def need_import(
    *,
    by: User | None,
    csv_text: str | bytes | None = None,
    rows: Iterable[Mapping[str, str]] | None = None,
    dry_run: bool = False,
) -> NeedImportResult:
    """Check every row, then (unless dry_run or any error) create or update needs by external_id.

    `by` is a secretariat member, or None for the command line (an operator of the server).
    Give either the text of a CSV file or rows as mappings of the CSV columns (row 2 is the first).
    """
    if by is not None and not by.is_secretariat:
        raise PermissionDenied
    result = NeedImportResult()
    if csv_text is not None:
        numbered, result.errors = csv_table_read(
            csv_text, columns=COLUMNS, max_rows=MAX_ROWS, optional=OPTIONAL_COLUMNS
        )
    else:
        numbered = [
            (
                number,
                {
                    column: str(row.get(column, ""))
                    for column in (*COLUMNS, *OPTIONAL_COLUMNS)
                    if column in COLUMNS or column in row
                },
            )
            for number, row in enumerate(rows or [], start=2)
        ]
    if result.errors:
        return result
    _plan(numbered, result)
    if result.errors or dry_run:
        return result
    try:
        with transaction.atomic():
            _write(result, by=by)
    except _RowRefused as refused:
        result.errors.append(refused.error)
        return result
    result.written = True
    audit_record(
        actor=by,
        action=AuditAction.NEED_IMPORT,
        details={
            "created": [plan.external_id for plan in result.planned if plan.action == "create"],
            "updated": [plan.external_id for plan in result.planned if plan.action == "update"],
            "changes": {plan.external_id: plan.changes for plan in result.planned if plan.changes},
            "unchanged": result.unchanged,
        },
    )
    return result
