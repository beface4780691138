"""The restricted admin writes only where the secretariat is meant to write, through the audited services.

Every page of every model registered on the secretariat's admin site is posted to as a secretariat
member would, with the form the admin itself builds for the record (so that, were a guard missing,
the post would be a valid one), and the whole database is compared before and after.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.forms import MultiWidget
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from matching.services import rank_need
from roster import services
from stats.services import api_client_create
from tests.conftest import signed_in_client
from tests.factories import ExpertFactory, NeedFactory

pytestmark = pytest.mark.django_db

# The admin pages through which the secretariat does write, each through an audited service and
# each with its own tests; every other page of the admin must refuse a post or write nothing.
SECRETARIAT_WRITES = {
    "accounts_user_change": "a name and deactivation, through user_update",
    "accounts_user_invite": "invitations, through focal_point_invite and secretariat_user_invite",
    "needs_need_import": "a dry run of the uploaded file, then its preview",
    "needs_need_import_confirm": "the previewed file, through need_import",
    "reference_country_change": "a State's UNCAC status and its date, through country_status_update",
    "matching_matchingpolicy_add": "a new matching policy, through matching_policy_save",
    "matching_matchingpolicy_change": "a policy's parameters, through matching_policy_save",
    "roster_expert_import": "a dry run of the uploaded file, then its preview",
    "roster_expert_import_confirm": "the previewed file, through expert_import",
    "roster_expert_decide": "a decision on a nomination, through expert_validate, _request_changes or _reject",
}
# The list answers a post with its actions; an action that writes goes through a service (or there is none).
WRITES_NOTHING = {"changelist", None}


def _registered_urls() -> list[tuple[str, str | None]]:
    return [
        (model._meta.label, pattern.name)
        for model, model_admin in admin.site._registry.items()
        for pattern in model_admin.urls
        if pattern.name not in SECRETARIAT_WRITES
    ]


def _record(model: type[models.Model], cast) -> models.Model:
    """One record of each model, so that the record pages have something to show."""
    made = {
        "auth.Group": lambda: cast.secretariat.groups.get(),
        "axes.AccessAttempt": lambda: AccessAttempt.objects.create(username="x@example.org", failures_since_start=1),
        "axes.AccessLog": lambda: AccessLog.objects.create(username="x@example.org"),
        "axes.AccessFailureLog": lambda: AccessFailureLog.objects.create(username="x@example.org"),
        "accounts.User": lambda: cast.owner,
        "audit.AuditEvent": lambda: AuditEvent.objects.create(actor=cast.secretariat, action="expert.view"),
        "roster.Expert": lambda: ExpertFactory(status="submitted"),
        "needs.Need": lambda: NeedFactory(),
        "stats.ApiClient": lambda: api_client_create(name="Partner", days=30, daily_cell_quota=100)[0],
        "matching.RankingSnapshot": lambda: rank_need(need=NeedFactory()),
    }.get(model._meta.label, lambda: model._default_manager.order_by("pk").first())
    record = made()
    return model._default_manager.get(pk=record.pk)


def _posted_form(model_admin: admin.ModelAdmin, record: models.Model, user) -> dict[str, object]:
    """What the admin's own form for `record` holds, as a browser would post it back."""
    request = RequestFactory().get("/")
    request.user = user
    form = model_admin.get_form(request, record)(instance=record)
    data: dict[str, object] = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if isinstance(bound.field.widget, MultiWidget):
            for index, part in enumerate(bound.field.widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = part
        else:
            data[bound.html_name] = "on" if value is True else value
    return {**data, "_save": "Save", "post": "yes", "_change_history": "1"}


def _database() -> dict[str, list[tuple]]:
    # Sessions are the one thing a signed-in request may legitimately touch.
    return {
        model._meta.label: sorted(model._base_manager.values_list(), key=repr)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label != "sessions.Session"
    }


def _url(model: type[models.Model], name: str | None, record: models.Model) -> str:
    if name is None:  # the bare record address, which redirects to the record's page
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") + f"{record.pk}/"
    suffix = name.removeprefix(f"{model._meta.app_label}_{model._meta.model_name}_")
    if suffix in ("changelist", "add", "export", "import_template"):  # pages of the whole list, not of a record
        return reverse(f"admin:{name}")
    if suffix == "simple_history":
        return reverse(f"admin:{name}", args=[record.pk, record.history.earliest().history_id])
    return reverse(f"admin:{name}", args=[record.pk])


@pytest.mark.parametrize("label, name", _registered_urls())
def test_no_admin_page_writes_outside_the_services(cast, label, name):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    record = _record(model, cast)
    if label == "roster.Expert":  # a record with a past: submitted, then validated
        record = services.expert_validate(expert=record, by=cast.secretariat, version=record.version)
    data = _posted_form(model_admin, record, cast.secretariat)
    data.update({"action": "delete_selected", ACTION_CHECKBOX_NAME: [record.pk], "index": "0"})
    client = cast.client_for("secretariat")
    before = _database()

    response = client.post(_url(model, name, record), data)

    suffix = name and name.removeprefix(f"{model._meta.app_label}_{model._meta.model_name}_")
    if suffix not in WRITES_NOTHING:
        assert response.status_code in (403, 405), f"{name} answered {response.status_code} to a post"
    assert _database() == before, f"a post to {name} wrote to the database"


def test_every_history_page_refuses_a_post_even_from_a_superuser(cast, django_user_model):
    # A superuser holds every permission, so only the refusal of the method itself protects the past.
    superuser = django_user_model.objects.create_superuser("root@example.org")
    client = signed_in_client(superuser)
    expert = services.expert_validate(expert=ExpertFactory(status="submitted"), by=cast.secretariat, version=1)
    posts = []
    for record in (expert, NeedFactory()):
        info = f"{record._meta.app_label}_{record._meta.model_name}"
        data = _posted_form(admin.site._registry[type(record)], record, superuser)
        for name in (f"{info}_history", f"{info}_simple_history"):
            url = _url(type(record), name, record)
            assert client.get(url).status_code == 200  # read, as ever (opening an expert's past is audited)
            posts.append((url, data))
    before = _database()
    for url, data in posts:
        assert client.post(url, data).status_code == 405, url
    assert _database() == before


def test_a_past_version_posted_back_is_refused_and_the_expert_keeps_state_status_and_version(cast):
    # The finding as reported: the past-version page of an expert, posted back with another State.
    expert = services.expert_validate(expert=ExpertFactory(status="submitted"), by=cast.secretariat, version=1)
    first = expert.history.earliest()
    url = reverse("admin:roster_expert_simple_history", args=[expert.pk, first.history_id])
    client = cast.client_for("secretariat")
    data = _posted_form(admin.site._registry[type(expert)], expert, cast.secretariat)
    data.update({"nominating_state": "FRA", "status": "submitted", "version": "1"})

    response = client.post(url, data)

    assert response.status_code == 405
    expert.refresh_from_db()
    assert (expert.nominating_state_id, expert.status, expert.version) == ("KEN", "active", 2)
    assert expert.history.count() == 2
    assert not AuditEvent.objects.exclude(action="expert.validate").exists()
