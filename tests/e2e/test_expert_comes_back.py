"""An expert comes back, in French on a phone: asks for a fresh link, reads the consent given, withdraws it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from roster.models import Expert
from tests.factories import ExpertFactory, ExpertLanguageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_expert_asks_for_a_fresh_link_and_withdraws_consent_in_french(page, live_server):
    expert = ExpertFactory(given_name="Aminata", family_name="Diallo", email="aminata.diallo@example.org")
    ExpertLanguageFactory(expert=expert, language_id="fr", level=7)
    page.set_extra_http_headers({"Accept-Language": "fr"})
    page.set_viewport_size({"width": 390, "height": 800})

    page.goto(f"{live_server.url}/expert/link/")
    expect(page.get_by_role("heading", name="Un nouveau lien vers votre profil")).to_be_visible()
    page.get_by_label("Votre adresse électronique").fill("Aminata.Diallo@example.org")
    page.get_by_role("button", name="M'envoyer un nouveau lien").click()
    expect(page.get_by_role("status")).to_contain_text("un nouveau lien vous a été envoyé")

    (message,) = mail.outbox
    assert message.subject == "Votre lien vers votre profil dans le fichier d'experts de la CNUCC"
    page.goto(live_server.url + re.search(r"/expert/confirm/\S+/", message.body).group(0))
    expect(page.get_by_text("Vous avez donné votre consentement le")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("button", name="Retirer mon consentement").click()
    expect(page.get_by_role("status")).to_contain_text("Votre consentement est retiré")
    expert.refresh_from_db()
    assert expert.consent_given_at is None
    assert expert.status == Expert.Status.ACTIVE
