"""Bulk import of experts from a State's or the secretariat's spreadsheet (CSV), all or nothing.

Every row is checked before anything is written, so one bad row among a thousand leaves the roster exactly
as it was and the report names every bad row as a spreadsheet shows it (the header is row 1).

What an imported expert becomes:
- with a consent_date: consent is on file (version "external": collected by the State outside the portal)
  and the profile counts as confirmed on that date; imported by the secretariat (or an operator without
  --by) the expert is active, imported by a focal point it is submitted and awaits the secretariat's
  validation like any nomination;
- without a consent_date: a draft; the State submits it from the portal, which mails the expert for consent.
On re-import (same external_id) the listed fields, languages, articles and assistance types are replaced;
consent already on file is never withdrawn or overwritten by the file; a draft moves on as above; any other
status is left alone (an active expert changed by a focal point's import awaits revalidation, still visible).
"""

import gc
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import batched
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from portal.csv_import import ImportIssue, ImportOutcome, csv_table_read, handed_over, row_cells, whole_number, yes_no
from reference.models import Article, AssistanceType, Country, Language
from roster.duplicates import expert_name_key
from roster.history import PartsDiff, expert_history_bulk_create, parts_diff_keyed, parts_write
from roster.models import Expert, ExpertArticle, ExpertLanguage, LanguageLevel
from roster.roster_version import roster_version_bump
from roster.search import search_text_refresh
from roster.services import ArticleExpertise, LanguageSkill, expert_parts_check

COLUMNS = (
    "external_id",
    "given_name",
    "family_name",
    "gender",
    "nationality",
    "nominating_state",
    "email",
    "phone",
    "current_position",
    "employer",
    "sector",
    "years_experience",
    "languages",
    "articles",
    "assistance_types",
    "available_from",
    "available_until",
    "days_per_year",
    "remote",
    "on_site",
    "consent_date",
)
# Columns a file may leave out; it then imports as before they existed (what is stored stays as it is).
OPTIONAL_COLUMNS = ("conflict_states",)
IMPORTED_CONSENT_VERSION = "external"
MAX_ROWS = 50_000
IMPORT_CHUNK = 1000
LEVELS = {label.upper(): value for value, label in LanguageLevel.choices if value != LanguageLevel.NATIVE}
LEVELS["N"] = LanguageLevel.NATIVE
# Fields the file sets on the expert row (the children and consent are handled apart).
ROW_FIELDS = (
    "given_name",
    "family_name",
    "name_key",
    "gender",
    "nationality_id",
    "nominating_state_id",
    "email",
    "phone",
    "current_position",
    "employer",
    "sector",
    "years_experience",
    "available_from",
    "available_until",
    "days_per_year",
    "remote",
    "on_site",
)


def _max_length(name: str) -> int:
    return Expert._meta.get_field(name).max_length


@dataclass(frozen=True)
class DuplicateFlag:
    """A possible duplicate for a person to look at; nothing is merged."""

    row: int
    external_id: str
    existing_id: int | None
    other_row: int | None
    reason: str
    existing_state: str = ""

    def __str__(self) -> str:
        if self.existing_id is not None:
            target = _("expert #%(id)s") % {"id": self.existing_id}
        else:
            target = _("row %(row)s of this file") % {"row": self.other_row}
        return _("row %(row)s, %(external_id)s: possible duplicate of %(target)s (%(reason)s)") % {
            "row": self.row,
            "external_id": self.external_id,
            "target": target,
            "reason": self.reason,
        }


@dataclass(slots=True)
class PlannedExpert:
    row: int
    external_id: str
    values: dict[str, Any]
    languages: dict[str, int]
    articles: dict[int, int]
    assistance_types: list[str]
    consent_date: date | None
    # None when the file has no conflict_states column: the declared conflicts are then left as they are.
    conflict_states: list[str] | None = None
    existing: Expert | None = None
    action: str = "create"


@dataclass
class ImportResult(ImportOutcome):
    dry_run: bool = False
    duplicates: list[DuplicateFlag] = field(default_factory=list)


# --- checking one row ---------------------------------------------------------------------------


def _unusable_id_message() -> str:
    return _("this identifier cannot be used; choose another")


@dataclass
class _Reference:
    countries: set[str]
    languages: set[str]
    articles: set[int]
    assistance_types: set[str]

    @classmethod
    def load(cls) -> "_Reference":
        return cls(
            countries=set(Country.objects.values_list("iso3", flat=True)),
            languages=set(Language.objects.values_list("code", flat=True)),
            articles=set(Article.objects.values_list("number", flat=True)),
            assistance_types=set(AssistanceType.objects.values_list("code", flat=True)),
        )


class _RowChecker:
    """Turns one row's text into values, collecting an issue per bad column instead of stopping at the first."""

    def __init__(self, number: int, row: Mapping[str, str], reference: _Reference, issues: list[ImportIssue]):
        self.number = number
        self.row = row_cells(number, row, issues)
        self.reference = reference
        self.issues = issues

    def fail(self, column: str, message: str) -> None:
        self.issues.append(ImportIssue(self.number, column, message))

    def text(self, column: str, *, required: bool = False, max_length: int) -> str:
        value = self.row[column]
        if required and not value:
            self.fail(column, _("required"))
        elif len(value) > max_length:
            self.fail(column, _("at most %(max)s characters") % {"max": max_length})
        return value

    def choice(self, column: str, choices: Sequence[tuple[str, Any]]) -> str:
        value = self.row[column].lower()
        allowed = [code for code, _label in choices]
        if not value:
            self.fail(column, _("required"))
        elif value not in allowed:
            self.fail(
                column,
                _("'%(value)s' is not one of: %(allowed)s")
                % {"value": self.row[column], "allowed": ", ".join(allowed)},
            )
        return value

    def country(self, column: str) -> str:
        value = self.row[column].upper()
        if not value:
            self.fail(column, _("required"))
        elif value not in self.reference.countries:
            self.fail(column, _("'%(value)s' is not an ISO 3166 alpha-3 country code") % {"value": self.row[column]})
        return value

    def number_in(self, column: str, low: int, high: int) -> int:
        value = self.row[column]
        if not value:
            return 0
        number = whole_number(value)
        if number is None:
            self.fail(column, _("'%(value)s' is not a whole number") % {"value": value})
            return 0
        if not low <= number <= high:
            self.fail(column, _("must be between %(low)s and %(high)s") % {"low": low, "high": high})
        return number

    def day(self, column: str) -> date | None:
        value = self.row[column]
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(column, _("'%(value)s' is not a date as YYYY-MM-DD") % {"value": value})
            return None

    def boolean(self, column: str) -> bool:
        value = self.row[column]
        if not value:
            return True  # the model's default: available unless the file says otherwise
        answer = yes_no(value)
        if answer is None:
            self.fail(column, _("'%(value)s' is not one of true, false, 1, 0, yes, no") % {"value": value})
            return True
        return answer

    def pairs(self, column: str) -> list[tuple[str, str]]:
        pairs = []
        for piece in self.row[column].split(";"):
            if not piece.strip():
                continue
            code, sep, level = piece.partition(":")
            if not sep:
                self.fail(column, _("'%(piece)s' has no level; write code:level") % {"piece": piece.strip()})
                continue
            pairs.append((code.strip(), level.strip()))
        return pairs

    def service_rules(
        self, column: str, *, languages: Sequence[LanguageSkill] = (), expertise: Sequence[ArticleExpertise] = ()
    ) -> None:
        """The roster's own rules on the parts (one of each, levels in range), as the service states them."""
        try:
            expert_parts_check(languages=languages, expertise=expertise)
        except ValidationError as refused:
            for message in refused.messages:
                self.fail(column, message)

    def languages(self) -> dict[str, int]:
        skills: list[LanguageSkill] = []
        for code, level in self.pairs("languages"):
            code = code.lower()
            if code not in self.reference.languages:
                self.fail("languages", _("'%(code)s' is not a known ISO 639-1 language code") % {"code": code})
            elif level.upper() not in LEVELS:
                self.fail(
                    "languages",
                    _("'%(level)s' is not a level for %(code)s (use A1, A2, B1, B2, C1, C2 or N)")
                    % {"level": level, "code": code},
                )
            else:
                skills.append(LanguageSkill(language_id=code, level=LEVELS[level.upper()]))
        self.service_rules("languages", languages=skills)
        return {skill.language_id: skill.level for skill in skills}

    def articles(self) -> dict[int, int]:
        expertise: list[ArticleExpertise] = []
        for number, level in self.pairs("articles"):
            article = whole_number(number)
            if article not in self.reference.articles:
                self.fail("articles", _("'%(number)s' is not an UNCAC article (1 to 71)") % {"number": number})
            elif level not in {"1", "2", "3"}:
                self.fail(
                    "articles",
                    _("'%(level)s' is not a level for article %(number)s (use 1, 2 or 3)")
                    % {"level": level, "number": number},
                )
            else:
                expertise.append(ArticleExpertise(article_id=article, level=int(level)))
        self.service_rules("articles", expertise=expertise)
        return {item.article_id: item.level for item in expertise}

    def assistance_types(self) -> list[str]:
        codes: list[str] = []
        for code in (piece.strip().lower() for piece in self.row["assistance_types"].split(";")):
            if not code:
                continue
            if code not in self.reference.assistance_types:
                self.fail(
                    "assistance_types",
                    _("'%(code)s' is not one of: %(allowed)s")
                    % {"code": code, "allowed": ", ".join(sorted(self.reference.assistance_types))},
                )
            elif code not in codes:
                codes.append(code)
        return codes

    def conflict_states(self) -> list[str] | None:
        if "conflict_states" not in self.row:
            return None
        codes: list[str] = []
        for code in (piece.strip().upper() for piece in self.row["conflict_states"].split(";")):
            if not code:
                continue
            if code not in self.reference.countries:
                self.fail("conflict_states", _("'%(value)s' is not an ISO 3166 alpha-3 country code") % {"value": code})
            elif code not in codes:
                codes.append(code)
        return codes

    def email(self) -> str:
        value = self.text("email", required=True, max_length=_max_length("email"))
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.fail("email", _("'%(value)s' is not an e-mail address") % {"value": value})
        return value

    def external_id(self) -> str:
        value = self.text("external_id", required=True, max_length=_max_length("external_id"))
        # An invisible character (zero-width space, control) makes two identifiers that look the same.
        if any(unicodedata.category(character).startswith("C") for character in value):
            self.fail("external_id", _unusable_id_message())
        return value

    def plan(self, *, today: date) -> PlannedExpert:
        given_name = self.text("given_name", required=True, max_length=_max_length("given_name"))
        family_name = self.text("family_name", required=True, max_length=_max_length("family_name"))
        values: dict[str, Any] = {
            "given_name": given_name,
            "family_name": family_name,
            "name_key": expert_name_key(given_name=given_name, family_name=family_name),
            "gender": self.choice("gender", Expert.Gender.choices),
            "nationality_id": self.country("nationality"),
            "nominating_state_id": self.country("nominating_state"),
            "email": self.email(),
            "phone": self.text("phone", max_length=_max_length("phone")),
            "current_position": self.text("current_position", max_length=_max_length("current_position")),
            "employer": self.text("employer", max_length=_max_length("employer")),
            "sector": self.choice("sector", Expert.Sector.choices),
            "years_experience": self.number_in("years_experience", 0, 70),
            "available_from": self.day("available_from"),
            "available_until": self.day("available_until"),
            "days_per_year": self.number_in("days_per_year", 0, 366),
            "remote": self.boolean("remote"),
            "on_site": self.boolean("on_site"),
        }
        available_from, available_until = values["available_from"], values["available_until"]
        if available_from and available_until and available_until < available_from:
            self.fail("available_until", _("is before available_from"))
        consent_date = self.day("consent_date")
        if consent_date and consent_date > today:
            self.fail("consent_date", _("is in the future"))
        return PlannedExpert(
            row=self.number,
            external_id=self.external_id(),
            values=values,
            languages=self.languages(),
            articles=self.articles(),
            assistance_types=self.assistance_types(),
            consent_date=consent_date,
            conflict_states=self.conflict_states(),
        )


# --- the service --------------------------------------------------------------------------------


def _importer_state(by: User | None) -> str | None:
    """None for the secretariat or an operator at the shell; the State's code for a focal point."""
    if by is None or by.is_secretariat:
        return None
    if by.is_focal_point:
        return by.state_id
    raise PermissionDenied


def _plan_rows(
    numbered: Iterable[tuple[int, Mapping[str, str]]], *, own_state: str | None, result: ImportResult
) -> dict[str, int]:
    """Check each row on its own and against the rows above it; returns the row of each external_id."""
    reference = _Reference.load()
    today = timezone.localdate()
    seen_ids: dict[str, int] = {}
    for number, row in numbered:
        missing = [name for name in COLUMNS if name not in row]
        if missing:
            result.errors.extend(ImportIssue(number, name, _("missing column")) for name in missing)
            continue
        plan = _RowChecker(number, row, reference, result.errors).plan(today=today)
        if own_state and plan.values["nominating_state_id"] not in ("", own_state):
            result.errors.append(
                ImportIssue(
                    number, "nominating_state", _("you may import only experts of %(state)s") % {"state": own_state}
                )
            )
        if plan.external_id in seen_ids:
            result.errors.append(
                ImportIssue(
                    number,
                    "external_id",
                    _("'%(id)s' is also on row %(row)s") % {"id": plan.external_id, "row": seen_ids[plan.external_id]},
                )
            )
        elif plan.external_id:
            seen_ids[plan.external_id] = number
        result.planned.append(plan)
    return seen_ids


@transaction.atomic
def expert_import(
    *,
    by: User | None,
    rows: Iterable[Mapping[str, str]] | None = None,
    file: IO[bytes] | IO[str] | bytes | str | None = None,
    dry_run: bool = False,
    source: str = "",
) -> ImportResult:
    """Check every row, then write all of them or none. `rows` are dicts keyed by COLUMNS, numbered from row 2."""
    own_state = _importer_state(by)
    result = ImportResult(dry_run=dry_run)
    if (rows is None) == (file is None):
        raise ValueError("Give either rows or file.")
    if file is not None:
        numbered, result.errors = csv_table_read(
            file if isinstance(file, bytes | str) else file.read(),
            columns=COLUMNS,
            optional=OPTIONAL_COLUMNS,
            max_rows=MAX_ROWS,
        )
    else:
        numbered = list(enumerate(rows or [], start=2))
    if result.errors:
        return result

    # Each row's text is let go once the row is planned: holding all 50,000 beside their plans was 90 MB.
    _plan_rows(handed_over(numbered), own_state=own_state, result=result)
    _check_existing(result, own_state=own_state)
    if result.errors:
        result.planned = []
        return result

    result.planned.sort(key=lambda plan: plan.row)
    every_duplicate = _duplicates(result.planned)
    # A focal point is shown only duplicates within its own State: whether another State nominated someone is
    # not theirs to learn. The audit row keeps every pair for the secretariat.
    result.duplicates = [
        flag
        for flag in every_duplicate
        if not own_state or flag.existing_id is None or flag.existing_state == own_state
    ]
    # Compared and written IMPORT_CHUNK rows at a time: memory holds the stored records of one chunk, not of
    # the whole file (a 10,000-row re-import held 300 MB).
    for chunk in batched(result.planned, IMPORT_CHUNK):
        existing = {
            expert.external_id: expert
            for expert in Expert.objects.filter(external_id__in=[plan.external_id for plan in chunk]).prefetch_related(
                "languages", "expertise", "assistance_types", "declared_conflict_states"
            )
        }
        for plan in chunk:
            plan.existing = existing.get(plan.external_id)
            plan.action = (
                "create" if plan.existing is None else ("update" if _changes(plan, own_state) else "unchanged")
            )
        if not dry_run:
            _write(list(chunk), by=by, own_state=own_state)
        for plan in chunk:
            plan.existing = None
        # The chunk's records and their prefetched parts point at each other, so only the cycle collector frees
        # them; left to its own pace it kept a dozen chunks (80 MB of a 50,000-row import's 320 MB peak).
        gc.collect()
    if not dry_run:
        roster_version_bump()
        result.written = True
        audit_record(
            actor=by,
            action=AuditAction.EXPERT_IMPORT,
            target=None,
            details={
                "source": source,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                # Every possible duplicate, including other States', so the secretariat can look at them.
                "possible_duplicates": [
                    [flag.external_id, flag.existing_id] for flag in every_duplicate if flag.existing_id
                ],
            },
        )
    return result


def _check_existing(result: ImportResult, *, own_state: str | None) -> None:
    """Refuse rows whose external_id is another State's record or an erased one; lock the stored records named,
    so that nothing changes them between this check and the write."""
    for chunk in batched(result.planned, IMPORT_CHUNK):
        stored = Expert.objects.select_for_update().filter(external_id__in=[plan.external_id for plan in chunk])
        found = {external_id: (state, erased) for external_id, state, erased in stored.values_list(
            "external_id", "nominating_state_id", "erased_at"
        )}  # fmt: skip
        for plan in chunk:
            if plan.external_id not in found:
                continue
            state, erased_at = found[plan.external_id]
            # The State check comes first, and answers as for any unusable identifier: whether another State holds
            # a record under it, and what became of that record, is not a focal point's to learn.
            if own_state and state != own_state:
                result.errors.append(ImportIssue(plan.row, "external_id", _unusable_id_message()))
            elif erased_at is not None:
                result.errors.append(
                    ImportIssue(
                        plan.row,
                        "external_id",
                        _("this expert asked for their personal data to be erased; remove the row"),
                    )
                )


def _consent_moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _new_status(plan: PlannedExpert, own_state: str | None) -> str:
    if plan.consent_date is None:
        return Expert.Status.DRAFT
    return Expert.Status.SUBMITTED if own_state else Expert.Status.ACTIVE


def _changes(plan: PlannedExpert, own_state: str | None) -> bool:
    expert = plan.existing
    assert expert is not None
    if any(getattr(expert, name) != value for name, value in plan.values.items()):
        return True
    if {item.language_id: item.level for item in expert.languages.all()} != plan.languages:
        return True
    if {item.article_id: item.level for item in expert.expertise.all()} != plan.articles:
        return True
    if {item.code for item in expert.assistance_types.all()} != set(plan.assistance_types):
        return True
    if plan.conflict_states is not None and {item.iso3 for item in expert.declared_conflict_states.all()} != set(
        plan.conflict_states
    ):
        return True
    if plan.consent_date and expert.consent_given_at is None:
        return True
    return expert.status == Expert.Status.DRAFT and _new_status(plan, own_state) != Expert.Status.DRAFT


def _apply(expert: Expert, plan: PlannedExpert, own_state: str | None) -> None:
    for name, value in plan.values.items():
        setattr(expert, name, value)
    if plan.consent_date and expert.consent_given_at is None:
        moment = _consent_moment(plan.consent_date)
        expert.consent_given_at = moment
        expert.consent_text_version = IMPORTED_CONSENT_VERSION
        if expert.last_confirmed_at is None or expert.last_confirmed_at < moment:
            expert.last_confirmed_at = moment
    if expert.status == Expert.Status.DRAFT:
        expert.status = _new_status(plan, own_state)
    elif expert.pk and own_state and expert.status == Expert.Status.ACTIVE:
        expert.revalidation_pending = True


def _write(planned: list[PlannedExpert], *, by: User | None, own_state: str | None) -> None:
    now = timezone.now()
    to_create: list[Expert] = []
    to_update: list[Expert] = []
    for plan in planned:
        if plan.action == "create":
            expert = Expert(external_id=plan.external_id, created_by=by, status=Expert.Status.DRAFT)
            _apply(expert, plan, own_state)
            plan.existing = expert
            to_create.append(expert)
        elif plan.action == "update":
            expert = plan.existing
            _apply(expert, plan, own_state)
            expert.version += 1
            expert.updated_at = now
            to_update.append(expert)
    if to_create:
        # Their history rows are written last, once their assistance types are, so that they hold them.
        Expert.objects.bulk_create(to_create, batch_size=500)
        if any(expert.pk is None for expert in to_create):
            # A backend without RETURNING hands back no primary keys; external_id is unique, so ask by it.
            ids = dict(
                Expert.objects.filter(external_id__in=[expert.external_id for expert in to_create]).values_list(
                    "external_id", "pk"
                )
            )
            for expert in to_create:
                expert.pk = ids[expert.external_id]
    if to_update:
        fields = [
            *ROW_FIELDS,
            "consent_given_at",
            "consent_text_version",
            "last_confirmed_at",
            "status",
            "revalidation_pending",
            "version",
            "updated_at",
        ]
        # One plain UPDATE per changed expert: with bulk_update's CASE expressions, 1,000 changed rows took 6.2 s
        # and 10,000 took 39 s on SQLite; this way 0.8 s and 10 s (benchmarks/roster_import.py).
        for expert in to_update:
            Expert.objects.filter(pk=expert.pk).update(**{name: getattr(expert, name) for name in fields})

    written = [plan for plan in planned if plan.action in ("create", "update")]
    # Only the languages and articles that differ are written, each change kept in their history with `by`;
    # an updated expert's stored ones were prefetched with it.
    languages, articles = PartsDiff(), PartsDiff()
    for plan in written:
        expert = plan.existing
        stored = plan.action == "update"
        languages.extend(
            parts_diff_keyed(
                stored=expert.languages.all() if stored else (),
                key=["language_id"],
                fields=["level"],
                wanted=[
                    ExpertLanguage(expert_id=expert.pk, language_id=code, level=level)
                    for code, level in plan.languages.items()
                ],
            )
        )
        articles.extend(
            parts_diff_keyed(
                stored=expert.expertise.all() if stored else (),
                key=["article_id"],
                fields=["level"],
                wanted=[
                    ExpertArticle(expert_id=expert.pk, article_id=number, level=level)
                    for number, level in plan.articles.items()
                ],
            )
        )
    parts_write(ExpertLanguage, languages, fields=["level"], by=by)
    parts_write(ExpertArticle, articles, fields=["level"], by=by)
    expert_ids = [plan.existing.pk for plan in written]
    through = Expert.assistance_types.through
    through.objects.filter(expert_id__in=expert_ids).delete()
    through.objects.bulk_create(
        [
            through(expert_id=plan.existing.pk, assistancetype_id=code)
            for plan in written
            for code in plan.assistance_types
        ],
        batch_size=1000,
    )
    with_conflicts = [plan for plan in written if plan.conflict_states is not None]
    conflicts = Expert.declared_conflict_states.through
    conflicts.objects.filter(expert_id__in=[plan.existing.pk for plan in with_conflicts]).delete()
    conflicts.objects.bulk_create(
        [
            conflicts(expert_id=plan.existing.pk, country_id=code)
            for plan in with_conflicts
            for code in plan.conflict_states or ()
        ],
        batch_size=1000,
    )
    expert_history_bulk_create(to_create, by=by, update=False)
    expert_history_bulk_create(to_update, by=by, update=True)
    search_text_refresh(expert_ids=expert_ids)


# --- possible duplicates ------------------------------------------------------------------------


def _reasons(plan: PlannedExpert, name_key: str, nationality_id: str, email: str) -> str:
    reasons = []
    if plan.values["name_key"] == name_key and plan.values["nationality_id"] == nationality_id:
        reasons.append(_("same name and nationality"))
    if email and plan.values["email"].lower() == email.lower():
        reasons.append(_("same e-mail address"))
    return ", ".join(reasons)


def _candidates(planned: Sequence[PlannedExpert]) -> list[Any]:
    """The stored experts these rows may duplicate, as rows of the six values compared (model objects for a
    50,000-row re-import that finds every one of its records took 80 MB)."""
    keys = {plan.values["name_key"] for plan in planned}
    emails = {plan.values["email"].lower() for plan in planned}
    return list(
        Expert.objects.annotate(email_folded=Lower("email"))
        .filter(Q(name_key__in=keys) | Q(email_folded__in=emails), erased_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "external_id", "name_key", "nationality_id", "email", "nominating_state_id", named=True)
    )


def _duplicates(planned: list[PlannedExpert]) -> list[DuplicateFlag]:
    """Same normalised name and nationality, or same e-mail, as an existing record under another external_id,
    or as an earlier row of the same file. The stored records are read IMPORT_CHUNK rows at a time, so that
    memory holds the candidates of one chunk."""
    flags: list[DuplicateFlag] = []
    first_row_by_key: dict[tuple[str, str], PlannedExpert] = {}
    first_row_by_email: dict[str, PlannedExpert] = {}
    for chunk in batched(planned, IMPORT_CHUNK):
        by_key: dict[tuple[str, str], list[Any]] = {}
        by_email: dict[str, list[Any]] = {}
        for expert in _candidates(chunk):
            by_key.setdefault((expert.name_key, expert.nationality_id), []).append(expert)
            if expert.email:
                by_email.setdefault(expert.email.lower(), []).append(expert)
        for plan in chunk:
            key = (plan.values["name_key"], plan.values["nationality_id"])
            email = plan.values["email"].lower()
            matches = {expert.pk: expert for expert in [*by_key.get(key, []), *by_email.get(email, [])]}
            for expert in matches.values():
                if expert.external_id == plan.external_id:
                    continue
                flags.append(
                    DuplicateFlag(
                        plan.row,
                        plan.external_id,
                        expert.pk,
                        None,
                        _reasons(plan, expert.name_key, expert.nationality_id, expert.email),
                        existing_state=expert.nominating_state_id,
                    )
                )
            earlier = {
                id(other): other for other in (first_row_by_key.get(key), first_row_by_email.get(email)) if other
            }
            for other in earlier.values():
                flags.append(
                    DuplicateFlag(
                        plan.row,
                        plan.external_id,
                        None,
                        other.row,
                        _reasons(plan, other.values["name_key"], other.values["nationality_id"], other.values["email"]),
                    )
                )
            first_row_by_key.setdefault(key, plan)
            first_row_by_email.setdefault(email, plan)
    return flags
