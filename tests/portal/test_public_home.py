"""The home page tells anyone what the portal is, who may use it and how to get an account, with the
secretariat's address and a privacy notice, in English, French and Spanish (issue 12, item 9)."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

pytestmark = pytest.mark.django_db


def _in(language: str, text: str) -> str:
    # The catalogues gain the new texts' French and Spanish when the translations are merged (locale/ is
    # not edited by hand), so the page is compared with the catalogue as it stands.
    with translation.override(language):
        return gettext(text)


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_an_anonymous_visitor_learns_what_the_portal_is_and_how_to_get_an_account(settings, language):
    settings.CONTACT_EMAIL = "uncac.roster@un.example.org"
    response = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    # Read as a browser shows it: an apostrophe may come escaped or not, depending on the tag that wrote it.
    for text in ("The UNCAC expert roster", "Who may use it", "How to get an account"):
        assert _in(language, text) in unescape(body)
    assert 'href="mailto:uncac.roster@un.example.org"' in body
    assert f'href="{reverse("privacy")}"' in body and f'href="{reverse("login")}"' in body


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_privacy_notice_is_open_to_anyone_in_three_languages(settings, language):
    settings.CONTACT_EMAIL = "uncac.roster@un.example.org"
    response = Client().get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert f"<h1>{_in(language, 'Privacy notice')}</h1>" in body and "mailto:uncac.roster@un.example.org" in body


def test_every_page_links_to_the_privacy_notice(cast):
    body = cast.client_for("owner").get(reverse("needs:need_list")).content.decode()
    assert f'href="{reverse("privacy")}"' in body


def test_the_focal_points_home_is_unchanged(cast):
    body = cast.client_for("owner").get(reverse("home")).content.decode()
    assert "focal point for Kenya" in body and "How to get an account" not in body


def test_a_secretariat_member_without_the_second_factor_is_sent_to_it_from_the_home_page(cast, client):
    # Signed in with the password only: the home page would show the secretariat's queues.
    client.force_login(cast.secretariat)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith((reverse("second_factor"), reverse("second_factor_enrol")))
