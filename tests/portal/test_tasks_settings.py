"""Background tasks: the database backend (run by `manage.py db_worker`) unless told to run them in the request."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.env import tasks_settings


def test_tasks_are_queued_in_the_database_by_default():
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_tasks_db" in settings.INSTALLED_APPS


def test_a_lone_development_server_may_run_tasks_in_the_request():
    assert tasks_settings("immediate") == {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}


def test_an_unknown_tasks_backend_is_refused():
    with pytest.raises(ImproperlyConfigured, match="TASKS_BACKEND"):
        tasks_settings("celery")
