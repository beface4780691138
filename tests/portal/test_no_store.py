"""Pages with personal data are never kept by a browser or a shared cache: `Cache-Control: no-store, private`."""

import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from roster.consent import confirmation_request
from tests.factories import ExpertFactory, NeedFactory, cv_pdf_bytes

pytestmark = pytest.mark.django_db

# (who asks, URL name, whose id it takes), for every kind of page that shows a person or a need.
PERSONAL_PAGES = [
    ("owner", "home", None),
    ("owner", "roster:expert_list", None),
    ("owner", "roster:expert_nominate", None),
    ("owner", "roster:expert_detail", "expert"),
    ("owner", "roster:expert_edit", "expert"),
    ("owner", "roster:expert_withdraw", "expert"),
    ("owner", "roster:expert_cv", "expert"),
    ("owner", "needs:need_list", None),
    ("owner", "needs:need_export", None),
    ("owner", "needs:need_create", None),
    ("owner", "needs:need_detail", "need"),
    ("owner", "needs:need_edit", "need"),
    ("owner", "password_change", None),
    ("secretariat", "admin:index", None),
    ("secretariat", "admin:roster_expert_changelist", None),
    ("secretariat", "admin:roster_expert_change", "expert"),
    ("secretariat", "admin:roster_expert_history", "expert"),
    ("secretariat", "admin:accounts_user_changelist", None),
    ("secretariat", "admin:audit_auditevent_changelist", None),
    ("secretariat", "admin:needs_need_changelist", None),
    ("secretariat", "admin:needs_need_change", "need"),
    ("secretariat", "roster:expert_cv", "expert"),
    ("focal_point_other_state", "roster:expert_detail", "expert"),  # another State's record: its 404 too
    ("anonymous", "login", None),
]


def _assert_not_stored(response) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert "public" not in directives


@pytest.fixture
def records(cast):
    expert = ExpertFactory(nominating_state=cast.owner.state, status="active")
    expert.cv_file.save("cv.pdf", ContentFile(cv_pdf_bytes()), save=False)
    expert.cv_original_name, expert.cv_content_type = "CV.pdf", "application/pdf"
    expert.save()
    need = NeedFactory(requesting_state=cast.owner.state)
    return {"expert": expert, "need": need}


@pytest.mark.parametrize("who, name, kind", PERSONAL_PAGES)
def test_pages_with_personal_data_are_not_stored(cast, records, who, name, kind):
    url = reverse(name, args=[records[kind].pk] if kind else [])
    response = cast.client_for(who).get(url)
    assert response.status_code in (200, 404), response.status_code
    _assert_not_stored(response)


def test_a_refused_post_and_a_redirect_are_not_stored_either(cast, records):
    client = cast.client_for("owner")
    _assert_not_stored(client.post(reverse("roster:expert_submit", args=[records["expert"].pk])))
    _assert_not_stored(cast.client_for("anonymous").get(reverse("roster:expert_list")))


def test_the_experts_own_pages_are_not_stored(db, django_capture_on_commit_callbacks):
    expert = ExpertFactory(status="submitted", consent_given_at=None, last_confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    link = re.search(r"https?://[^/\s]+(/expert/confirm/\S+/)", mail.outbox[-1].body).group(1)
    client = Client()
    _assert_not_stored(client.get(link))
    _assert_not_stored(client.get(reverse("expert_self:profile")))
    export = client.post(reverse("expert_self:data_export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/json")
    _assert_not_stored(export)


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert get_max_age(response) is None or get_max_age(response) > 0
