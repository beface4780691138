"""The secretariat sends a nomination back with a message, the focal point answers it, and another is rejected."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from roster.models import Expert
from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Please add the expert's post at the Asset Recovery Agency.\nThe employment history stops in 2015."


def _submitted_expert(**fields) -> Expert:
    expert = ExpertFactory(status=Expert.Status.SUBMITTED, consent_given_at=None, last_confirmed_at=None, **fields)
    ExpertLanguageFactory(expert=expert, language_id="en", level=6)
    ExpertArticleFactory(expert=expert, article_id=51, level=2)
    return expert


def _secretariat_runs_action(page, expert_name: str, action: str) -> None:
    page.get_by_role("link", name="Secretariat", exact=True).click()
    page.get_by_role("link", name="Experts").click()
    page.get_by_role("checkbox", name=re.compile(expert_name)).check()
    page.get_by_role("combobox", name="Action").select_option(label=action)
    page.get_by_role("button", name="Run").click()


def test_secretariat_requests_changes_and_the_focal_point_edits_and_resubmits(cast, page, sign_in):
    expert = _submitted_expert(given_name="Faith", family_name="Mutua", email="faith.mutua@example.org")
    sign_in(cast.secretariat.email)
    _secretariat_runs_action(page, "Faith Mutua", "Request changes (with a message)")

    expect(page.get_by_text("The nomination goes back to its State with your message.")).to_be_visible()
    chosen = page.get_by_role("listitem").filter(has_text="Faith Mutua (Kenya, Submitted for validation)")
    expect(chosen).to_be_visible()
    message = page.get_by_label("Message to the nominating State")
    page.get_by_role("button", name="Request changes").click()  # the browser asks for the required message first
    assert message.evaluate("field => field.validity.valueMissing")
    expert.refresh_from_db()
    assert expert.status == Expert.Status.SUBMITTED
    message.fill(MESSAGE)
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Changes requested for 1 expert(s).")).to_be_visible()
    expert.refresh_from_db()
    assert expert.status == Expert.Status.CHANGES_REQUESTED
    assert expert.secretariat_message.splitlines() == MESSAGE.splitlines()  # the browser sends CRLF

    page.get_by_role("button", name="Log out").click()
    sign_in(cast.owner.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Experts", exact=True).click()
    expect(page.get_by_role("row").filter(has_text="Mutua, Faith")).to_contain_text("Changes requested")
    page.get_by_role("link", name="Mutua, Faith").click()
    expect(page.get_by_text("Message from the secretariat:")).to_be_visible()
    expect(page.get_by_text("Please add the expert's post at the Asset Recovery Agency.")).to_be_visible()
    expect(page.get_by_text("The employment history stops in 2015.")).to_be_visible()

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_text("Please add the expert's post at the Asset Recovery Agency.")).to_be_visible()
    post = page.get_by_role("group", name="Post 1")
    post.get_by_label("Employer").fill("Asset Recovery Agency")
    post.get_by_label("Post:", exact=True).fill("Head of financial investigations")
    post.get_by_label("From (year)").fill("2016")
    page.get_by_role("button", name="Save and submit for validation").click()

    status = page.get_by_role("status").first
    expect(status.get_by_role("listitem")).to_have_count(1)
    expect(status).to_contain_text("Saved and submitted to the secretariat for validation")
    expect(page.get_by_text("Submitted for validation", exact=True)).to_be_visible()
    expect(page.get_by_text("Head of financial investigations, Asset Recovery Agency (2016–)")).to_be_visible()
    expect(page.get_by_role("button", name="Submit for validation")).to_have_count(0)
    expert.refresh_from_db()
    assert expert.status == Expert.Status.SUBMITTED
    assert list(expert.employment.values_list("employer", flat=True)) == ["Asset Recovery Agency"]
    assert mail.outbox[-1].to == ["faith.mutua@example.org"]  # the expert is asked again to confirm


def test_secretariat_rejects_from_the_record_with_a_reason_and_the_focal_point_hears_of_it_in_french(
    cast, page, sign_in
):
    cast.owner.language = "fr"
    cast.owner.save()
    kept = _submitted_expert(given_name="Grace", family_name="Wafula")
    rejected = _submitted_expert(given_name="Hassan", family_name="Ali")
    sign_in(cast.secretariat.email)
    page.get_by_role("link", name="Secretariat", exact=True).click()
    page.get_by_role("link", name="Experts").click()
    page.get_by_role("link", name="Ali", exact=True).click()
    page.get_by_role("link", name="Reject", exact=True).click()
    reason = page.get_by_label("Reason for the rejection")
    page.get_by_role("button", name="Reject", exact=True).click()  # the browser asks for the reason first
    assert reason.evaluate("field => field.validity.valueMissing")
    reason.fill("The expert works on customs reform, outside the Convention's scope.")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.get_by_text("1 nomination(s) rejected.")).to_be_visible()
    rejected.refresh_from_db()
    kept.refresh_from_db()
    assert rejected.status == Expert.Status.REJECTED
    assert kept.status == Expert.Status.SUBMITTED

    to_owner = [message for message in mail.outbox if message.to == [cast.owner.email]]
    assert [message.subject for message in to_owner] == ["Désignation rejetée : Hassan Ali"]
    assert "outside the Convention's scope" in to_owner[0].body

    page.get_by_role("button", name="Log out").click()
    sign_in(cast.owner.email)
    page.set_extra_http_headers({"Accept-Language": "fr"})
    page.goto(page.url.split("/accounts/")[0] + "/")
    attention = page.get_by_role("region", name="Demande votre attention")
    expect(attention).to_contain_text("Rejetées au cours des 30 derniers jours")
    expect(attention).to_contain_text("outside the Convention's scope")
    attention.get_by_role("link", name="Ali, Hassan").click()
    expect(page.get_by_text("Rejeté", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Retirer")).to_have_count(0)
