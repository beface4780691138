"""Writes of the nomination workflow: each one checks who acts, changes one expert, and audits it.

draft -> submitted -> active, or changes_requested (with the secretariat's message) or rejected;
active/inactive/submitted/draft -> withdrawn; inactive -> submitted, back through validation. Every accepted
change increments `version`, which is what lets a second save over a stale form be refused instead of
silently overwriting the first.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from portal.access import secretariat_only
from portal.history import one_history_row
from portal.locking import locked_at_version
from portal.mail import mail_send
from reference.models import Country
from reference.names import localized_column
from roster.consent import confirmation_request
from roster.cv_text import CvText, cv_text_extract
from roster.duplicates import expert_name_key, expert_possible_duplicates_of
from roster.history import parts_diff_keyed, parts_diff_rows, parts_write
from roster.models import (
    EDUCATION_FIELDS,
    EMPLOYMENT_FIELDS,
    EXPERT_HISTORY,
    Education,
    Employment,
    Expert,
    ExpertArticle,
    ExpertLanguage,
    NominationDraft,
)
from roster.roster_version import roster_version_bump
from roster.search import search_text_refresh
from roster.selectors import draft_get, draft_visible, expert_may_see
from roster.uploads import CvKind, cv_display_name, cv_validate

Status = Expert.Status

# The CV template's own fields; status, State, consent and the like are never taken from a form.
PROFILE_FIELDS = (
    "given_name",
    "family_name",
    "gender",
    "nationality",
    "email",
    "phone",
    "current_position",
    "employer",
    "sector",
    "years_experience",
    "summary",
    "available_from",
    "available_until",
    "days_per_year",
    "remote",
    "on_site",
)
EDITABLE = {Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.ACTIVE}
# An inactive profile (retired as stale) comes back only through the secretariat's validation again.
SUBMITTABLE = {Status.DRAFT, Status.CHANGES_REQUESTED, Status.INACTIVE}
WITHDRAWABLE = {Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.ACTIVE, Status.INACTIVE}
CONFIRMABLE = {Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.ACTIVE, Status.INACTIVE}


@dataclass(frozen=True)
class LanguageSkill:
    language_id: str
    level: int


@dataclass(frozen=True)
class ArticleExpertise:
    article_id: int
    level: int


@dataclass
class ExpertProfile:
    """Everything the CV template collects, as plain values (forms build it; imports may too)."""

    fields: Mapping[str, Any]
    languages: Sequence[LanguageSkill] = ()
    expertise: Sequence[ArticleExpertise] = ()
    employment: Sequence[Mapping[str, Any]] = ()
    education: Sequence[Mapping[str, Any]] = ()
    assistance_type_ids: Sequence[str] = ()
    countries_worked_in_ids: Sequence[str] = ()
    declared_conflict_state_ids: Sequence[str] = ()


def _ensure_may_manage(*, expert: Expert, user: User) -> None:
    # expert_may_see already refuses anyone who is neither the secretariat nor the nominating State's focal point.
    if not expert_may_see(user=user, expert=expert):
        raise PermissionDenied


def _locked(*, expert: Expert, version: int | None = None, message: str | None = None) -> Expert:
    """A fresh copy of the row, locked until the transaction ends, so checks see the latest state."""
    return locked_at_version(Expert.objects, pk=expert.pk, version=version, message=message)


def _locked_as_reviewed(*, expert: Expert, version: int) -> Expert:
    """A decision names the version the secretariat reviewed: one taken on a profile changed since is refused."""
    return _locked(
        expert=expert,
        version=version,
        message=_(
            "%(expert)s was changed by the nominating State after you opened it: nothing was decided. "
            "Review the nomination again, then decide."
        )
        % {"expert": expert},
    )


def _save_transition(*, expert: Expert, by: User, fields: list[str]) -> None:
    # The row is locked (see _locked), so incrementing the fresh value cannot lose a concurrent change.
    expert.version += 1
    expert._history_user = by
    expert.save(update_fields=[*fields, "version", "updated_at"])
    roster_version_bump()


def expert_parts_check(*, languages: Sequence[LanguageSkill], expertise: Sequence[ArticleExpertise]) -> None:
    """The rules on an expert's languages and UNCAC articles, one place for the form, the import and the services."""
    errors = []
    repeated_languages = _repeated(skill.language_id for skill in languages)
    if repeated_languages:
        errors.append(
            _("Each language may be listed only once; listed more than once: %(codes)s.")
            % {"codes": ", ".join(repeated_languages)}
        )
    repeated_articles = _repeated(str(item.article_id) for item in expertise)
    if repeated_articles:
        errors.append(
            _("Each UNCAC article may be listed only once; listed more than once: %(numbers)s.")
            % {"numbers": ", ".join(repeated_articles)}
        )
    if any(not 1 <= skill.level <= 7 for skill in languages):
        errors.append(_("A language level must be between A1 and native."))
    if any(not 1 <= item.level <= 3 for item in expertise):
        errors.append(_("An expertise level must be 1 (knowledgeable), 2 (experienced) or 3 (expert)."))
    if errors:
        raise ValidationError(errors)


def _repeated(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated


def _apply_profile(*, expert: Expert, profile: ExpertProfile) -> None:
    unknown = set(profile.fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of the CV template: {sorted(unknown)}")
    for name, value in profile.fields.items():
        setattr(expert, name, value)
    expert.name_key = expert_name_key(given_name=expert.given_name, family_name=expert.family_name)
    expert_parts_check(languages=profile.languages, expertise=profile.expertise)
    expert.full_clean(exclude=["cv_file", "version"])


def _replace_children(*, expert: Expert, profile: ExpertProfile, by: User) -> None:
    """The form shows every row, so what it sends is the whole list; only what differs is written (and kept in
    the parts' history with who changed it)."""
    employment = [Employment(expert=expert, **data) for data in profile.employment]
    education = [Education(expert=expert, **data) for data in profile.education]
    for row in [*employment, *education]:
        row.full_clean(exclude=["expert"])
    languages = parts_diff_keyed(
        stored=expert.languages.all(),
        key=["language_id"],
        fields=["level"],
        wanted=[ExpertLanguage(expert=expert, language_id=s.language_id, level=s.level) for s in profile.languages],
    )
    expertise = parts_diff_keyed(
        stored=expert.expertise.all(),
        key=["article_id"],
        fields=["level"],
        wanted=[ExpertArticle(expert=expert, article_id=a.article_id, level=a.level) for a in profile.expertise],
    )
    # In the order the form shows them, so that an edited row is paired with the row it was.
    jobs = parts_diff_rows(
        stored=expert.employment.order_by("-start_year", "pk"), wanted=employment, fields=EMPLOYMENT_FIELDS
    )
    schools = parts_diff_rows(
        stored=expert.education.order_by("-year", "pk"), wanted=education, fields=EDUCATION_FIELDS
    )
    parts_write(ExpertLanguage, languages, fields=["level"], by=by)
    parts_write(ExpertArticle, expertise, fields=["level"], by=by)
    parts_write(Employment, jobs, fields=EMPLOYMENT_FIELDS, by=by)
    parts_write(Education, schools, fields=EDUCATION_FIELDS, by=by)
    expert.assistance_types.set(profile.assistance_type_ids)
    expert.countries_worked_in.set(profile.countries_worked_in_ids)
    expert.declared_conflict_states.set(profile.declared_conflict_state_ids)


def _store_cv(*, expert: Expert, cv: UploadedFile, kind: CvKind) -> None:
    """Called last in a service, after every check, so a refused change leaves no file behind."""
    previous = expert.cv_file.name
    original_name = cv.name or ""
    expert.cv_file.save(f"cv{kind.extension}", cv, save=False)
    expert.cv_original_name = cv_display_name(original_name=original_name, kind=kind)
    expert.cv_content_type = kind.content_type
    expert.save(update_fields=["cv_file", "cv_original_name", "cv_content_type"])
    if previous:
        storage = expert.cv_file.storage
        transaction.on_commit(lambda: storage.delete(previous))


def _cv_text_read(*, cv: UploadedFile | None, kind: CvKind | None) -> CvText | None:
    """Read before the file is stored (storing may move an uploaded temporary file away)."""
    if cv is None or kind is None:
        return None
    return cv_text_extract(cv, content_type=kind.content_type)


def _duplicate_ids(*, expert: Expert) -> list[int]:
    return list(expert_possible_duplicates_of(expert).values_list("pk", flat=True))


@transaction.atomic
def expert_nominate(
    *, by: User, profile: ExpertProfile, nominating_state: Country | None = None, cv: UploadedFile | None = None
) -> Expert:
    """A new draft. A focal point always nominates for its own State; the secretariat names the State."""
    if getattr(by, "is_focal_point", False):
        state_id = by.state_id
    elif getattr(by, "is_secretariat", False):
        if nominating_state is None:
            raise ValidationError({"nominating_state": _("Choose the nominating State.")})
        state_id = nominating_state.pk
    else:
        raise PermissionDenied
    kind = cv_validate(cv) if cv is not None else None
    cv_text = _cv_text_read(cv=cv, kind=kind)
    expert = Expert(nominating_state_id=state_id, created_by=by, status=Status.DRAFT)
    _apply_profile(expert=expert, profile=profile)
    with one_history_row(expert, records=EXPERT_HISTORY, by=by, history_type="+"):
        expert.save()
        _replace_children(expert=expert, profile=profile, by=by)
        if kind is not None:
            _store_cv(expert=expert, cv=cv, kind=kind)
    search_text_refresh(expert_ids=[expert.pk], cv_texts=cv_text and {expert.pk: cv_text})
    roster_version_bump()
    audit_record(
        actor=by,
        action=AuditAction.EXPERT_NOMINATE,
        target=expert,
        details={"nominating_state": state_id, "possible_duplicates": _duplicate_ids(expert=expert)},
    )
    return expert


@transaction.atomic
def expert_update(
    *, expert: Expert, by: User, version: int, profile: ExpertProfile, cv: UploadedFile | None = None
) -> Expert:
    """Save an edited profile unless someone else saved first; an active expert stays active meanwhile."""
    _ensure_may_manage(expert=expert, user=by)
    current = _locked(
        expert=expert,
        version=version,
        message=_(
            "Someone else changed this profile after you opened it; your changes were not saved. "
            "Here they are, so that nothing is lost: check the current profile, then save again."
        ),
    )
    if current.status not in EDITABLE:
        raise ValidationError(
            _("A profile that is %(status)s cannot be edited.") % {"status": current.get_status_display().lower()}
        )
    kind = cv_validate(cv) if cv is not None else None
    cv_text = _cv_text_read(cv=cv, kind=kind)
    current.version = version + 1
    _apply_profile(expert=current, profile=profile)
    if current.status == Status.ACTIVE:
        current.revalidation_pending = True
    with one_history_row(current, records=EXPERT_HISTORY, by=by, history_type="~"):
        current.save()
        _replace_children(expert=current, profile=profile, by=by)
        if kind is not None:
            _store_cv(expert=current, cv=cv, kind=kind)
    search_text_refresh(expert_ids=[current.pk], cv_texts=cv_text and {current.pk: cv_text})
    roster_version_bump()
    audit_record(
        actor=by,
        action=AuditAction.EXPERT_UPDATE,
        target=current,
        details={"version": current.version, "possible_duplicates": _duplicate_ids(expert=current)},
    )
    return current


@transaction.atomic
def expert_submit(*, expert: Expert, by: User) -> Expert:
    """Send a draft to the secretariat and ask the expert to confirm and consent."""
    _ensure_may_manage(expert=expert, user=by)
    current = _locked(expert=expert)
    if current.status not in SUBMITTABLE:
        raise ValidationError(
            _("Only a draft, a profile with changes requested or an inactive profile can be submitted.")
        )
    if not current.languages.exists() or not current.expertise.exists():
        raise ValidationError(_("Add at least one language and one UNCAC article before submitting the nomination."))
    current.status = Status.SUBMITTED
    _save_transition(expert=current, by=by, fields=["status"])
    audit_record(actor=by, action=AuditAction.EXPERT_SUBMIT, target=current)
    confirmation_request(expert=current)
    return current


EXPORT_HEADER = (
    "id",
    "family_name",
    "given_name",
    "nominating_state",
    "nominating_state_name",
    "nationality",
    "status",
    "status_name",
    "revalidation_pending",
    "consent_given_at",
    "email",
    "sector",
    "years_experience",
    "last_confirmed_at",
    "updated_at",
)


def expert_list_export(
    *, experts: QuerySet[Expert], by: User, filters: Mapping[str, str]
) -> tuple[tuple[str, ...], Iterator[list[object]]]:
    """The experts of a list as the secretariat filtered it, a row each, read in chunks; the export is audited."""
    secretariat_only(by)
    audit_record(actor=by, action=AuditAction.EXPERT_LIST_EXPORT, details={"filters": dict(filters)})
    status_names = dict(Status.choices)

    def rows() -> Iterator[list[object]]:
        read = experts.values_list(
            "id", "family_name", "given_name", "nominating_state", localized_column("nominating_state__name"),
            "nationality", "status",
            "revalidation_pending", "consent_given_at", "email", "sector", "years_experience", "last_confirmed_at",
            "updated_at",
        )  # fmt: skip
        for pk, family, given, state, state_name, nationality, status, pending, consent, *rest in read.iterator(
            chunk_size=2000
        ):
            email, sector, years, confirmed, updated = rest
            yield [
                pk, family, given, state, state_name, nationality, status, status_names.get(status, status),
                "yes" if pending else "no", _iso(consent), email, sector, years, _iso(confirmed), _iso(updated),
            ]  # fmt: skip

    return EXPORT_HEADER, rows()


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else ""


LINK_RESENDABLE = frozenset({Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.ACTIVE, Status.INACTIVE})


@transaction.atomic
def expert_link_resend(*, expert: Expert, by: User) -> Expert:
    """The focal point sends the expert a new link to their pages (the older one stops working)."""
    _ensure_may_manage(expert=expert, user=by)
    current = _locked(expert=expert)
    if current.status not in LINK_RESENDABLE or current.erased_at is not None:
        raise ValidationError(_("No link is sent for a withdrawn or rejected profile."))
    confirmation_request(expert=current)
    audit_record(actor=by, action=AuditAction.EXPERT_LINK_RESEND, target=current)
    return current


@transaction.atomic
def expert_withdraw(*, expert: Expert, by: User, reason: str = "") -> Expert:
    _ensure_may_manage(expert=expert, user=by)
    current = _locked(expert=expert)
    if current.status not in WITHDRAWABLE:
        raise ValidationError(_("This profile is already withdrawn or was rejected."))
    previous = current.status
    current.status = Status.WITHDRAWN
    current.revalidation_pending = False
    _save_transition(expert=current, by=by, fields=["status", "revalidation_pending"])
    audit_record(
        actor=by, action=AuditAction.EXPERT_WITHDRAW, target=current, details={"from": previous, "reason": reason}
    )
    return current


@transaction.atomic
def expert_confirm_current(*, expert: Expert, by: User) -> Expert:
    """The nominating State says the profile is still current; the stale clock restarts."""
    _ensure_may_manage(expert=expert, user=by)
    current = _locked(expert=expert)
    if current.status not in CONFIRMABLE:
        raise ValidationError(_("A withdrawn or rejected profile cannot be confirmed as current."))
    current.last_confirmed_at = timezone.now()
    _save_transition(expert=current, by=by, fields=["last_confirmed_at"])
    audit_record(actor=by, action=AuditAction.EXPERT_CONFIRM_CURRENT, target=current)
    return current


DECISION_SUBJECTS: dict[str, Promise] = {
    "validated": gettext_lazy("Nomination validated: {expert}"),
    "changes_requested": gettext_lazy("Changes requested to a nomination: {expert}"),
    "rejected": gettext_lazy("Nomination rejected: {expert}"),
}


def _decision_mail(*, expert: Expert, decision: str) -> None:
    """Tell the nominating State's focal points of a decision, each in their own language, once it is committed."""
    recipients = User.objects.filter(
        role=User.Role.FOCAL_POINT, state_id=expert.nominating_state_id, is_active=True
    ).order_by("pk")
    link = settings.SITE_URL + reverse("roster:expert_detail", args=[expert.pk])
    for focal_point in recipients:
        mail_send(
            to=focal_point.email,
            language=focal_point.language,
            subject=format_lazy(DECISION_SUBJECTS[decision], expert=f"{expert.given_name} {expert.family_name}"),
            template=f"roster/email/decision_{decision}.txt",
            context={"expert": expert, "message": expert.secretariat_message, "link": link},
        )


@transaction.atomic
def expert_validate(*, expert: Expert, by: User, version: int) -> Expert:
    """Accept a submitted nomination, or the pending changes of an active expert, as reviewed at `version`."""
    secretariat_only(by)
    current = _locked_as_reviewed(expert=expert, version=version)
    if current.status == Status.SUBMITTED:
        current.status = Status.ACTIVE
    elif not (current.status == Status.ACTIVE and current.revalidation_pending):
        raise ValidationError(
            _("%(expert)s cannot be validated: only a submitted profile or pending changes can be.")
            % {"expert": current}
        )
    previous_pending = current.revalidation_pending
    current.revalidation_pending = False
    current.secretariat_message = ""
    _save_transition(expert=current, by=by, fields=["status", "revalidation_pending", "secretariat_message"])
    audit_record(
        actor=by, action=AuditAction.EXPERT_VALIDATE, target=current, details={"revalidation": previous_pending}
    )
    _decision_mail(expert=current, decision="validated")
    return current


@transaction.atomic
def expert_request_changes(*, expert: Expert, by: User, version: int, message: str) -> Expert:
    """Send a nomination, as reviewed at `version`, back to its State with the secretariat's message; an active
    expert stays active."""
    secretariat_only(by)
    message = message.strip()
    if not message:
        raise ValidationError(_("Say what should change: the message to the nominating State is required."))
    current = _locked_as_reviewed(expert=expert, version=version)
    if current.status == Status.SUBMITTED:
        current.status = Status.CHANGES_REQUESTED
    elif not (current.status == Status.ACTIVE and current.revalidation_pending):
        raise ValidationError(
            _("Changes can be requested only for %(expert)s's submitted profile or pending changes.")
            % {"expert": current}
        )
    current.secretariat_message = message
    _save_transition(expert=current, by=by, fields=["status", "secretariat_message"])
    audit_record(actor=by, action=AuditAction.EXPERT_REQUEST_CHANGES, target=current, details={"message": message})
    _decision_mail(expert=current, decision="changes_requested")
    return current


@transaction.atomic
def expert_reject(*, expert: Expert, by: User, version: int, message: str) -> Expert:
    """Refuse a nomination as reviewed at `version`, with the reason the nominating State is told."""
    secretariat_only(by)
    if not message.strip():
        raise ValidationError(_("Give the reason for the rejection: it is sent to the nominating State."))
    current = _locked_as_reviewed(expert=expert, version=version)
    if current.status not in {Status.SUBMITTED, Status.CHANGES_REQUESTED}:
        raise ValidationError(
            _("%(expert)s cannot be rejected: only a nomination awaiting a decision can be.") % {"expert": current}
        )
    current.status = Status.REJECTED
    current.secretariat_message = message.strip()
    _save_transition(expert=current, by=by, fields=["status", "secretariat_message"])
    audit_record(
        actor=by, action=AuditAction.EXPERT_REJECT, target=current, details={"message": current.secretariat_message}
    )
    _decision_mail(expert=current, decision="rejected")
    return current


@transaction.atomic
def expert_record_opened(
    *, expert: Expert, by: User, version_id: int | None = None, justification: dict[str, Any] | None = None
) -> None:
    """The secretariat sees everything, so each opening of a full record (or of a past version) is written down,
    with the need or reason that justified it when it was opened from the workspace."""
    if getattr(by, "is_secretariat", False):
        details: dict[str, Any] = {"history_id": version_id} if version_id is not None else {}
        if justification is not None:
            details["justification"] = justification
        audit_record(actor=by, action=AuditAction.EXPERT_VIEW, target=expert, details=details)


@transaction.atomic
def expert_cv_opened(*, expert: Expert, by: User) -> None:
    _ensure_may_manage(expert=expert, user=by)
    audit_record(actor=by, action=AuditAction.EXPERT_CV_DOWNLOAD, target=expert)


# Fields of the CV template that a draft never keeps: the page's token, the buttons, the draft's own number.
_DRAFT_DROPPED = {"csrfmiddlewaretoken", "kept_input_owner", "action", "add_row", "draft", "profile-cv"}
DRAFT_MAX_CHARACTERS = 200_000


@transaction.atomic
def draft_save(
    *, by: User, draft_id: int | None, expert: Expert | None, data: Mapping[str, list[str]]
) -> NominationDraft:
    """Keep what a focal point has typed so far (autosave); drafts past ROSTER_DRAFT_KEEP_DAYS go at the same time.

    Not audited: a draft changes nothing on the roster, and a row every few seconds would drown the trail."""
    if not getattr(by, "is_focal_point", False):
        raise PermissionDenied
    fields = {name: list(values) for name, values in data.items() if name not in _DRAFT_DROPPED}
    if sum(len(value) for values in fields.values() for value in values) > DRAFT_MAX_CHARACTERS:
        raise ValidationError(_("This draft is too long to be kept."), code="draft_too_long")
    if draft_id is not None:
        draft = draft_get(user=by, pk=draft_id)
        if draft.expert_id != (expert.pk if expert else None):
            raise PermissionDenied
    else:
        draft = NominationDraft(nominating_state_id=by.state_id, expert=expert, created_by=by)
    draft.data = fields
    draft.save()
    cutoff = timezone.now() - timedelta(days=settings.ROSTER_DRAFT_KEEP_DAYS)
    NominationDraft.objects.filter(updated_at__lt=cutoff).delete()
    return draft


@transaction.atomic
def draft_discard(*, by: User, draft_id: int) -> None:
    """The form was saved: its draft has served."""
    draft_visible(user=by).filter(pk=draft_id).delete()
