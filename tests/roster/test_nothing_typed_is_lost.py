"""Nothing a focal point types into the CV template is lost (issue 12, item 2): not when the session ends before
saving, not when the form's token went stale in another tab; and it is never saved without them pressing Save."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from roster.models import Expert
from tests.conftest import PASSWORD
from tests.factories import ExpertFactory, country, cv_pdf_bytes, nomination_form_data

pytestmark = pytest.mark.django_db
NOMINATE = "/nominations/new/"


def _owner_token(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    return re.search(r'name="kept_input_owner" value="([^"]+)"', page).group(1)


def _sign_in(client: Client, email: str) -> None:
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 302


def _post_after_the_session_ended(client: Client, url: str, data: dict):
    """The session ends while the page is open (idle timeout or signed out elsewhere); the page is then sent."""
    token = _owner_token(client, url)
    client.logout()
    return client.post(url, {**data, "kept_input_owner": token})


def test_a_nomination_sent_after_the_session_ended_comes_back_after_signing_in_unsaved(cast):
    client = Client()
    _sign_in(client, cast.owner.email)
    response = _post_after_the_session_ended(client, NOMINATE, nomination_form_data(action="submit"))
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={NOMINATE}"
    assert not Expert.objects.exists()
    login_page = client.get(response["Location"]).content.decode()
    assert "Your session had ended, so nothing was saved." in login_page

    _sign_in(client, cast.owner.email)
    page = client.get(NOMINATE).content.decode()
    assert "What you typed before your session ended is back. Nothing is saved yet" in page
    assert 'value="Ramírez"' in page and 'value="jose.ramirez@example.org"' in page
    assert 'value="15" id="id_expertise-article-15" checked>' in page
    assert 'id="form-errors"' not in page  # shown to check, not judged
    assert not Expert.objects.exists()  # never replayed without the person pressing Save
    # Offered once: a second visit is a fresh form.
    assert "Ramírez" not in client.get(NOMINATE).content.decode()


def test_the_file_cannot_be_kept_and_the_page_says_to_choose_it_again(cast):
    client = Client()
    _sign_in(client, cast.owner.email)
    cv = SimpleUploadedFile("Kamau CV.pdf", cv_pdf_bytes())
    _post_after_the_session_ended(client, NOMINATE, {**nomination_form_data(), "profile-cv": cv})
    _sign_in(client, cast.owner.email)
    page = client.get(NOMINATE).content.decode()
    assert "the file Kamau CV.pdf could not be kept: choose it again." in page


def test_someone_else_signing_in_on_the_same_browser_does_not_get_it(cast):
    client = Client()
    _sign_in(client, cast.owner.email)
    _post_after_the_session_ended(client, NOMINATE, nomination_form_data())
    _sign_in(client, cast.colleague_same_state.email)
    assert "Ramírez" not in client.get(NOMINATE).content.decode()


def test_a_post_without_the_forms_signed_owner_is_not_kept(cast):
    client = Client()
    _sign_in(client, cast.owner.email)
    client.logout()
    client.post(NOMINATE, {**nomination_form_data(), "kept_input_owner": "forged"})
    _sign_in(client, cast.owner.email)
    assert "Ramírez" not in client.get(NOMINATE).content.decode()


def test_an_edit_sent_after_the_session_ended_comes_back_on_the_edit_page(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=Expert.Status.DRAFT, phone="+254 1")
    url = reverse("roster:expert_edit", args=[expert.pk])
    client = Client()
    _sign_in(client, cast.owner.email)
    data = nomination_form_data(
        **{"profile-version": str(expert.version), "profile-phone": "+254 typed", "action": "save"}
    )
    _post_after_the_session_ended(client, url, data)
    _sign_in(client, cast.owner.email)
    page = client.get(url).content.decode()
    assert 'value="+254 typed"' in page
    expert.refresh_from_db()
    assert expert.phone == "+254 1"
    response = client.post(url, data)
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.phone == "+254 typed"


def test_a_form_sent_with_a_stale_token_gets_the_portals_page_and_keeps_the_input(cast):
    client = Client(enforce_csrf_checks=True)
    _sign_in_with_csrf(client, cast.owner.email)
    page = client.get(NOMINATE).content.decode()
    stale = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    owner = re.search(r'name="kept_input_owner" value="([^"]+)"', page).group(1)
    # Signed out and in again in another tab: the token the open page holds is no longer valid.
    client.logout()
    _sign_in_with_csrf(client, cast.owner.email)
    response = client.post(
        NOMINATE, {**nomination_form_data(), "csrfmiddlewaretoken": stale, "kept_input_owner": owner}
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "This page had expired" in body and "CSRF" not in body and "Forbidden" not in body
    assert f'href="{NOMINATE}"' in body and "What you typed is kept." in body
    assert not Expert.objects.exists()
    assert 'value="Ramírez"' in client.get(NOMINATE).content.decode()


def test_a_stale_token_on_a_form_that_keeps_nothing_offers_a_way_back(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": cast.owner.email, "password": PASSWORD})
    body = response.content.decode()
    assert response.status_code == 403
    assert "This page had expired" in body and "Go back, reload the page and try again." in body
    assert f'href="{reverse("home")}"' in body


def _sign_in_with_csrf(client: Client, email: str) -> None:
    page = client.get(reverse("login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_signed_in_pages_carry_the_session_warning_with_the_idle_time(cast, settings):
    settings.SESSION_COOKIE_AGE = 900
    page = cast.client_for("owner").get(reverse("home")).content.decode()
    assert 'src="/static/js/session.js"' in page and 'data-seconds="900"' in page
    assert f'data-extend-url="{reverse("session_extend")}"' in page
    assert "session.js" not in Client().get(reverse("login")).content.decode()


def test_staying_signed_in_is_a_post_that_starts_the_session_again(cast):
    client = cast.client_for("owner")
    assert client.post(reverse("session_extend")).status_code == 204
    assert client.get(reverse("session_extend")).status_code == 405
    assert Client().post(reverse("session_extend")).status_code == 302
