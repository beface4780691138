"""Erasure leaves no personal value of the expert anywhere: the record, its parts, their history, the trail, files."""

import json

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models

from roster import services
from roster.models import EXPERT_HISTORY, Expert
from roster.personal_data import expert_erase
from tests.factories import EducationFactory, EmploymentFactory, ExpertFactory, country, cv_pdf_bytes

pytestmark = pytest.mark.django_db

# Values found nowhere else in the test database, so that any trace of them is a trace of this person.
PERSONAL = {
    "given_name": "Wanjiru",
    "family_name": "Kamau-Otieno",
    "email": "w.kamau-otieno@example.org",
    "phone": "+254 711 222 333",
    "current_position": "Head of Asset Tracing",
    "employer": "Nyayo Ethics Bureau",
    "summary": "Traced the Goldenberg proceeds",
    "secretariat_message": "Dear Ms Kamau-Otieno, please add your degree",
}
EARLIER = {"email": "wanjiru.earlier@example.org", "phone": "+254 700 999 888"}
PARTS = {
    "employer": "Kenya Revenue Authority Intelligence",
    "position": "Senior Forensic Investigator",
    "description": "Led the Anglo Leasing tracing",
    "institution": "Strathmore Law School",
    "degree": "Master of Laws in Asset Recovery",
    "field_of_study": "Forensic accounting of shell companies",
}
CONFLICTS_HISTORY = EXPERT_HISTORY.m2m_models[Expert._meta.get_field("declared_conflict_states")]
CV_NAME = "Wanjiru Kamau-Otieno CV.pdf"
WITHDRAWAL_REASON = "Wanjiru moved to Arusha"


@pytest.fixture
def expert_with_a_past(cast, state_a):
    """An expert whose every personal field, part and history row holds something that points at her."""
    expert = ExpertFactory(nominating_state=state_a, created_by=cast.owner, **{**PERSONAL, **EARLIER})
    for name, value in PERSONAL.items():
        setattr(expert, name, value)
    expert.cv_file.save("cv.pdf", ContentFile(cv_pdf_bytes()), save=False)
    expert.cv_original_name = CV_NAME
    expert.cv_content_type = "application/pdf"
    expert.save()
    expert.declared_conflict_states.add(country("UGA"))
    EmploymentFactory(expert=expert, employer=PARTS["employer"], position=PARTS["position"])
    EmploymentFactory(expert=expert, description=PARTS["description"])
    EducationFactory(
        expert=expert, institution=PARTS["institution"], degree=PARTS["degree"], field_of_study=PARTS["field_of_study"]
    )
    services.expert_withdraw(expert=expert, by=cast.owner, reason=WITHDRAWAL_REASON)
    return Expert.objects.get(pk=expert.pk)


def _every_table() -> list[type[models.Model]]:
    """Every table the project writes: its models, their history and their history's many-to-many rows."""
    return [model for model in apps.get_models(include_auto_created=True) if model._meta.app_label != "contenttypes"]


def _traces(values: list[str]) -> list[str]:
    found = []
    for model in _every_table():
        text_columns = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.FileField | models.JSONField)
        ]
        for row in model._default_manager.values_list("pk", *text_columns):
            for column, cell in zip(text_columns, row[1:], strict=True):
                text = json.dumps(cell) if isinstance(cell, dict | list) else str(cell or "")
                found += [f"{model._meta.label}.{column}: {value}" for value in values if value in text]
    return found


def test_after_erasure_no_personal_value_of_the_expert_remains_anywhere(
    expert_with_a_past, django_capture_on_commit_callbacks
):
    expert = expert_with_a_past
    values = [*PERSONAL.values(), *EARLIER.values(), *PARTS.values(), CV_NAME, WITHDRAWAL_REASON]
    storage = expert.cv_file.storage
    stored_cv = expert.cv_file.name
    # The fixture really left traces everywhere the erasure must reach, the history included.
    before = _traces(values)
    for table in ("roster.Expert.", "roster.HistoricalExpert.", "roster.HistoricalEmployment.", "audit.AuditEvent."):
        assert any(trace.startswith(table) for trace in before), table
    assert storage.exists(stored_cv)
    assert CONFLICTS_HISTORY.objects.filter(history__id=expert.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        expert_erase(expert=expert, by=None)

    assert _traces(values) == []
    assert not storage.exists(stored_cv)
    assert not CONFLICTS_HISTORY.objects.filter(history__id=expert.pk).exists()
    assert not expert.declared_conflict_states.exists()
