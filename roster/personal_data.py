"""The expert's rights over their data: a full export of what the roster holds, and erasure."""

from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import audit_record
from portal.erasure import personal_data_erase, records_of
from portal.formats import shown_iso
from portal.history import history_changes, one_history_row
from roster.models import (
    EDUCATION_FIELDS,
    EMPLOYMENT_FIELDS,
    EXPERT_HISTORY,
    Education,
    Employment,
    Expert,
    ExpertArticle,
    ExpertLanguage,
    ExpertSearchText,
    erased_family_name,
)
from roster.roster_version import roster_version_bump

# Everything the Expert row holds that is the person's own, in a stable order; cell_key and name_key are
# internal (the first must never leave the server, the second is only a folding of the name).
EXPORTED_FIELDS = [
    "external_id",
    "given_name",
    "family_name",
    "gender",
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
    "status",
    "secretariat_message",
    "consent_given_at",
    "consent_text_version",
    "confirmation_requested_at",
    "last_confirmed_at",
    "last_reminder_at",
    "created_at",
    "updated_at",
]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# What each part's history shows of a row, as exported (one query per part).
PARTS_HISTORY_FIELDS = {
    "language": (ExpertLanguage, ["language_id", "level"]),
    "expertise": (ExpertArticle, ["article_id", "level"]),
    "employment": (Employment, EMPLOYMENT_FIELDS),
    "education": (Education, EDUCATION_FIELDS),
}


HISTORY_CHANGES = {"+": "created", "~": "changed", "-": "deleted"}


def _parts_history(expert: Expert) -> list[dict[str, Any]]:
    changes = []
    for part, (model, names) in PARTS_HISTORY_FIELDS.items():
        for row in model.history.filter(expert_id=expert.pk).values(
            "history_date", "history_id", "history_type", "id", *names
        ):
            change = {
                "at": _plain(row["history_date"]),
                "part": part,
                "row": row["id"],
                "change": HISTORY_CHANGES[row["history_type"]],
                **{name.removesuffix("_id"): row[name] for name in names},
            }
            changes.append(((row["history_date"], part, row["history_id"]), change))
    return [change for _order, change in sorted(changes, key=lambda item: item[0])]


@transaction.atomic
def expert_data_export(*, expert: Expert, by: User | None = None) -> dict[str, Any]:
    """Everything the roster holds on the expert, as JSON-ready values; audited."""
    expert = Expert.objects.select_related("nominating_state", "nationality").get(pk=expert.pk)
    data: dict[str, Any] = {"id": expert.pk}
    data.update({name: _plain(getattr(expert, name)) for name in EXPORTED_FIELDS})
    data["nominating_state"] = {"iso3": expert.nominating_state_id, "name": expert.nominating_state.display_name}
    data["nationality"] = {"iso3": expert.nationality_id, "name": expert.nationality.display_name}
    data["cv"] = (
        {"file_name": expert.cv_original_name, "content_type": expert.cv_content_type} if expert.cv_file else None
    )
    if data["cv"] is not None:
        # The text read from the CV for the secretariat's search is held about the person too.
        read = ExpertSearchText.objects.filter(expert=expert).values_list("cv_text", flat=True).first()
        data["cv"]["text_for_search"] = read or ""
    data["languages"] = [
        {"code": item.language_id, "name": item.language.display_name, "level": item.get_level_display()}
        for item in expert.languages.select_related("language").order_by("language_id")
    ]
    data["expertise"] = [
        {
            "article": item.article_id,
            "title": item.article.display_name,
            "chapter": item.article.chapter_id,
            "level": item.level,
            "level_name": str(item.get_level_display()),
        }
        for item in expert.expertise.select_related("article").order_by("article_id")
    ]
    data["assistance_types"] = [
        {"code": item.code, "name": item.display_name} for item in expert.assistance_types.order_by("position")
    ]
    data["countries_worked_in"] = list(expert.countries_worked_in.order_by("iso3").values_list("iso3", flat=True))
    data["declared_conflict_states"] = list(
        expert.declared_conflict_states.order_by("iso3").values_list("iso3", flat=True)
    )
    data["employment"] = [
        {name: getattr(job, name) for name in EMPLOYMENT_FIELDS}
        for job in expert.employment.order_by("-start_year", "pk")
    ]
    data["education"] = [
        {name: getattr(school, name) for name in EDUCATION_FIELDS}
        for school in expert.education.order_by("-year", "pk")
    ]
    history = list(expert.history.order_by("-history_date", "-history_id"))
    changed = history_changes(history, model=Expert, records=EXPERT_HISTORY)
    data["history"] = [
        {
            "at": _plain(row.history_date),
            "change": row.get_history_type_display(),
            "status": row.status,
            "fields": [change.name for change in changed.get(row.history_id, [])],
        }
        for row in reversed(history)
    ]
    data["parts_history"] = _parts_history(expert)
    # Shortlists, availability answers, ratings: what the later steps of the process hold on the person.
    data["other_records"] = {
        label: [{name: _plain(value) for name, value in row.items()} for row in rows]
        for label, rows in records_of(subject_pk=expert.pk, besides_apps=frozenset({"roster"})).items()
    }
    data["exported_at"] = _plain(timezone.now())
    audit_record(
        actor=by,
        action=AuditAction.EXPERT_DATA_EXPORT,
        target=expert,
        details={"by": "expert" if by is None else "user"},
    )
    return data


# Keys of an expert's audit rows that hold free text about the person (see services: withdraw, request changes, reject).
ERASED_AUDIT_DETAILS = {"reason", "message"}


# Labels of the export's keys that are not the Expert's own fields, for the readable page.
EXPORT_LABELS: dict[str, Promise] = {
    "id": _("Number in the roster"),
    "nominating_state": _("Nominating State"),
    "nationality": _("Nationality"),
    "cv": _("CV"),
    "languages": _("Languages"),
    "expertise": _("Expertise by UNCAC article"),
    "assistance_types": _("Types of assistance"),
    "countries_worked_in": _("Countries worked in"),
    "declared_conflict_states": _("States with a declared conflict of interest"),
    "employment": _("Employment"),
    "education": _("Education"),
    "history": _("Changes to the profile"),
    "parts_history": _("Changes to languages, expertise, employment and education"),
    "other_records": _("Other records"),
    "exported_at": _("Exported at"),
    "iso3": _("Code"),
    "code": _("Code"),
    "name": _("Name"),
    "file_name": _("File name"),
    "content_type": _("File type"),
    "level": _("Level"),
    "fields": _("Fields changed"),
    "level_name": _("Level"),
    "article": _("Article"),
    "title": _("Title"),
    "chapter": _("Chapter"),
    "at": _("Date"),
    "change": _("Change"),
    "part": _("Part"),
    "row": _("Row"),
    "language": _("Language"),
}


def _label(key: str, model: type | None = None) -> str:
    if key in EXPORT_LABELS:
        return str(EXPORT_LABELS[key])
    for candidate in (model, Expert, Employment, Education):
        try:
            return str(candidate._meta.get_field(key.removesuffix("_id")).verbose_name).capitalize()
        except (AttributeError, FieldDoesNotExist):
            continue
    return key.replace("_", " ").capitalize()


def _cell(key: str, value: Any, model: type | None) -> Any:
    if key == "fields" and isinstance(value, list):
        # The history's changed fields, named as the rest of the page names them.
        return ", ".join(_label(name, model) for name in value)
    return shown_iso(value)


def _table(rows: list[Any], model: type | None = None) -> dict[str, Any]:
    if rows and all(isinstance(row, dict) for row in rows):
        keys = list(dict.fromkeys(key for row in rows for key in row))
        return {
            "columns": [_label(key, model) for key in keys],
            "rows": [[_cell(key, row.get(key, ""), model) for key in keys] for row in rows],
        }
    return {"items": [shown_iso(row) for row in rows]}


def readable_export(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The export as sections a person can read: a heading, then a value, a list or a table each."""
    sections: list[dict[str, Any]] = []
    for key, value in data.items():
        if key == "other_records":
            for label, rows in value.items():
                model = apps.get_model(label)
                sections.append({"title": str(model._meta.verbose_name_plural).capitalize(), **_table(rows, model)})
        elif isinstance(value, list):
            sections.append({"title": _label(key), **_table(value)})
        elif isinstance(value, dict):
            sections.append({"title": _label(key), "pairs": [(_label(k), shown_iso(v)) for k, v in value.items()]})
        else:
            sections.append({"title": _label(key), "value": shown_iso(value)})
    return sections


@transaction.atomic
def expert_erase(*, expert: Expert, by: User | None) -> Expert:
    """Anonymise the person and keep the aggregates (States, gender, sector, languages, articles, ...).

    What goes is what the models declare to the erasure registry (roster/models.py, portal/erasure.py). The
    record stays, withdrawn, so that statistics and past matching runs remain consistent.
    """
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.erased_at is not None:
        return expert
    personal_data_erase(subject_pk=expert.pk)
    expert.refresh_from_db()
    expert.status = Expert.Status.WITHDRAWN
    expert.revalidation_pending = False
    expert.confirmation_requested_at = None
    expert.erased_at = timezone.now()
    expert.version += 1
    with one_history_row(expert, records=EXPERT_HISTORY, by=by, history_type="~"):
        expert.save()
    roster_version_bump()
    events = AuditEvent.objects.filter(target_type=expert._meta.label_lower, target_id=str(expert.pk))
    # Free text written about the person (a withdrawal reason, the secretariat's messages) goes as well; who did
    # what and when stays, so the trail still accounts for every decision.
    for event in events.only("pk", "details"):
        if isinstance(event.details, dict) and ERASED_AUDIT_DETAILS & event.details.keys():
            event.details = {key: "" if key in ERASED_AUDIT_DETAILS else value for key, value in event.details.items()}
            event.save(update_fields=["details"])
    # The pseudonym, not the page's wording, so that the trail reads the same in every language.
    events.update(target_repr=erased_family_name(expert.pk))
    audit_record(
        actor=by, action=AuditAction.EXPERT_ERASE, target=expert, details={"by": "expert" if by is None else "user"}
    )
    return expert
