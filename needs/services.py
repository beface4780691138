"""Writes to the needs register: record, change, move through its status. One audit row per change."""

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from needs.models import NEED_HISTORY, Need
from portal.history import one_history_row
from portal.locking import locked_at_version
from reference.models import Article, AssistanceType, Country, Language, LanguageLevel

Status = Need.Status

# The lifecycle of a need: the secretariat shortlists experts, then marks it addressed; either side
# may cancel a need that is still being worked on. Addressed and cancelled needs are closed.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.SHORTLISTING, Status.CANCELLED}),
    Status.SHORTLISTING: frozenset({Status.ADDRESSED, Status.CANCELLED}),
    Status.ADDRESSED: frozenset(),
    Status.CANCELLED: frozenset(),
}
# A State may withdraw its own request; shortlisting and closing are the secretariat's work.
FOCAL_POINT_TRANSITIONS = frozenset({Status.CANCELLED})

# A need's own content, in the order of the import file's columns: what the form, the import and the export
# carry and what a change may set. Status, version and authorship are the services' business.
NEED_FIELDS = (
    "external_id",
    "requesting_state",
    "articles",
    "assistance_type",
    "working_languages",
    "priority",
    "title",
    "description",
    "source",
    "source_reference",
    "review_cycle",
    "remote",
    "on_site",
    "desired_from",
    "desired_until",
    "min_language_level",
)
NEED_RELATIONS = ("articles", "working_languages")


def need_may_record(*, user: User, requesting_state: Country) -> bool:
    if user.is_secretariat:
        return True
    return user.is_focal_point and user.state_id == requesting_state.pk


def need_may_edit(*, need: Need, user: User) -> bool:
    """A focal point edits its State's need until the secretariat starts shortlisting for it."""
    if user.is_secretariat:
        return need.status in (Status.OPEN, Status.SHORTLISTING)
    return user.is_focal_point and user.state_id == need.requesting_state_id and need.status == Status.OPEN


def _may_act_on(*, need: Need, user: User) -> bool:
    return user.is_secretariat or (user.is_focal_point and user.state_id == need.requesting_state_id)


def need_status_choices(*, need: Need, user: User) -> list[str]:
    """The statuses this user may move this need to now, in lifecycle order."""
    if not _may_act_on(need=need, user=user):
        return []
    allowed = TRANSITIONS[need.status]
    if not user.is_secretariat:
        allowed = allowed & FOCAL_POINT_TRANSITIONS
    return [value for value in Status.values if value in allowed]


def need_relations_check(*, articles: Collection[Article], working_languages: Collection[Language]) -> None:
    """The rule on a need's articles and working languages, for the form, the import and the services alike."""
    errors = {}
    if not articles:
        errors["articles"] = _("Choose at least one UNCAC article.")
    if not working_languages:
        errors["working_languages"] = _("Choose at least one working language.")
    if errors:
        raise ValidationError(errors)


def _snapshot_fields(need: Need) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in NEED_FIELDS:
        if name not in NEED_RELATIONS:
            value = getattr(need, Need._meta.get_field(name).attname)
            values[name] = value.isoformat() if isinstance(value, date) else value
    return values


def _snapshot(need: Need) -> dict[str, Any]:
    return {
        **_snapshot_fields(need),
        "articles": sorted(need.articles.values_list("pk", flat=True)),
        "working_languages": sorted(need.working_languages.values_list("pk", flat=True)),
    }


@transaction.atomic
def need_create(
    *,
    by: User | None,
    requesting_state: Country,
    articles: Collection[Article],
    assistance_type: AssistanceType,
    working_languages: Collection[Language],
    title: str,
    priority: str = Need.Priority.MEDIUM,
    description: str = "",
    source: str = Need.Source.REVIEW_REPORT,
    source_reference: str = "",
    review_cycle: int = 1,
    remote: bool = True,
    on_site: bool = True,
    desired_from: date | None = None,
    desired_until: date | None = None,
    min_language_level: int = LanguageLevel.B2,
    external_id: str | None = None,
) -> Need:
    """Record a need; a focal point records only for its own State (by=None is the command line)."""
    if by is not None and not need_may_record(user=by, requesting_state=requesting_state):
        raise PermissionDenied
    need_relations_check(articles=articles, working_languages=working_languages)
    need = Need(
        requesting_state=requesting_state,
        created_by=by,
        assistance_type=assistance_type,
        title=title.strip(),
        priority=priority,
        description=description,
        source=source,
        source_reference=source_reference,
        review_cycle=review_cycle,
        remote=remote,
        on_site=on_site,
        desired_from=desired_from,
        desired_until=desired_until,
        min_language_level=min_language_level,
        external_id=external_id or None,
    )
    need.full_clean()
    with one_history_row(need, records=NEED_HISTORY, by=by, history_type="+"):
        need.save()
        need.articles.set(articles)
        need.working_languages.set(working_languages)
    audit_record(actor=by, action=AuditAction.NEED_CREATE, target=need, details=_snapshot(need))
    return need


def need_changes_apply(*, need: Need, by: User | None, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the changed fields and relations, bump the version; returns {field: [before, after]}.

    The change itself, for the services that have already checked who acts and write the audit row
    (need_update for one need, need_import for a file): it checks neither.
    """
    before = _snapshot(need)
    unknown = set(data) - set(NEED_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in data.items():
        if name not in NEED_RELATIONS:
            setattr(need, name, value.strip() if name == "title" else value)
    if need.external_id == "":
        need.external_id = None
    articles = data.get("articles")
    languages = data.get("working_languages")
    need_relations_check(
        articles=need.articles.all() if articles is None else articles,
        working_languages=need.working_languages.all() if languages is None else languages,
    )
    need.full_clean()
    after = {**_snapshot_fields(need), "articles": before["articles"], "working_languages": before["working_languages"]}
    if articles is not None:
        after["articles"] = sorted(article.pk for article in articles)
    if languages is not None:
        after["working_languages"] = sorted(language.pk for language in languages)
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if not changes:
        return changes
    need.version += 1
    with one_history_row(need, records=NEED_HISTORY, by=by, history_type="~"):
        need.save()
        if "articles" in changes:
            need.articles.set(articles)
        if "working_languages" in changes:
            need.working_languages.set(languages)
    return changes


def _locked(need: Need, *, expected_version: int | None) -> Need:
    return locked_at_version(
        Need.objects,
        pk=need.pk,
        version=expected_version,
        message=_(
            "Someone else changed this need while you were editing it; your changes were not saved. "
            "Here they are, so that nothing is lost: check them, then save again."
        ),
    )


@transaction.atomic
def need_update(*, need: Need, by: User, data: Mapping[str, Any], expected_version: int | None = None) -> Need:
    """Change a need's content; `expected_version` refuses a save over someone else's newer change."""
    if not need_may_edit(need=need, user=by):
        raise PermissionDenied
    if "requesting_state" in data and not by.is_secretariat:
        # A focal point's needs belong to its State whatever a crafted form says.
        raise PermissionDenied
    current = _locked(need, expected_version=expected_version)
    if not need_may_edit(need=current, user=by):
        raise PermissionDenied
    changes = need_changes_apply(need=current, by=by, data=data)
    if changes:
        audit_record(actor=by, action=AuditAction.NEED_UPDATE, target=current, details={"changes": changes})
    return current


@transaction.atomic
def need_set_status(*, need: Need, by: User, status: str, expected_version: int | None = None) -> Need:
    """Move a need along its lifecycle; an illegal move is a ValidationError, a forbidden one a 403."""
    # Another State's focal point learns nothing, not even the need's status or version, from the refusal.
    if not _may_act_on(need=need, user=by):
        raise PermissionDenied
    current = _locked(need, expected_version=expected_version)
    if not _may_act_on(need=current, user=by):
        raise PermissionDenied
    if status not in Status.values or status not in TRANSITIONS[current.status]:
        raise ValidationError(
            _("A need that is %(current)s cannot become %(target)s.")
            % {"current": current.get_status_display().lower(), "target": _status_label(status)}
        )
    if status not in need_status_choices(need=current, user=by):
        raise PermissionDenied
    previous = current.status
    current.status = status
    current.version += 1
    current._history_user = by
    current.save(update_fields=["status", "version", "updated_at"])
    audit_record(actor=by, action=AuditAction.NEED_STATUS, target=current, details={"from": previous, "to": status})
    return current


def _status_label(value: str) -> str:
    return str(Status(value).label).lower() if value in Status.values else repr(value)
