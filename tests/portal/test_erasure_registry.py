"""Every model that may hold personal data declares what erasure does to it, or why it holds none."""

import sysconfig
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from portal import erasure

FREE_TEXT = (models.CharField, models.TextField, models.FileField, models.JSONField)


def _project_models() -> list[type[models.Model]]:
    """The project's own models, without the history tables (they follow their model) and m2m through tables."""
    # A virtual environment may live inside the checkout (make's .venv): installed packages are not the project's.
    installed = {Path(sysconfig.get_path(name)).resolve() for name in ("purelib", "platlib")}
    project = [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(Path(settings.BASE_DIR).resolve())
        and not any(Path(config.path).resolve().is_relative_to(root) for root in installed)
    ]
    return [
        model
        for config in project
        for model in config.get_models()
        if not model._meta.auto_created and not hasattr(model, "instance_type")
    ]


def _free_text_fields(model: type[models.Model]) -> set[str]:
    """Fields where a name, an address, a phone number or prose about someone could be written."""
    return {field.name for field in model._meta.concrete_fields if isinstance(field, FREE_TEXT) and not field.choices}


def test_the_project_models_are_found():
    names = {model._meta.label for model in _project_models()}
    assert {"roster.Expert", "roster.Employment", "needs.Need", "accounts.User", "audit.AuditEvent"} <= names


@pytest.mark.parametrize(
    "model", [model for model in _project_models() if _free_text_fields(model)], ids=lambda model: model._meta.label
)
def test_a_model_with_free_text_is_registered_for_erasure_or_declared_not_personal(model):
    registered = {entry.model for entry in erasure.registered()}
    exempt = erasure.exemptions()
    assert (model in registered) != (model in exempt), (
        f"{model._meta.label} has free text ({', '.join(sorted(_free_text_fields(model)))}): declare it once, "
        "with portal.erasure.register(...) or portal.erasure.exempt(..., reason=...) next to the model"
    )
    if model in exempt:
        assert exempt[model].strip()


@pytest.mark.parametrize(
    "entry", [entry for entry in erasure.registered() if not entry.delete], ids=lambda entry: entry.model._meta.label
)
def test_every_free_text_field_of_a_registered_model_is_blanked_or_kept_for_a_stated_reason(entry):
    undecided = _free_text_fields(entry.model) - set(entry.blank) - set(entry.keep)
    assert not undecided, f"{entry.model._meta.label}: say what erasure does to {sorted(undecided)}"
    assert all(reason.strip() for reason in entry.keep.values())
    assert not set(entry.blank) & set(entry.keep)
