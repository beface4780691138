import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_secretariat_invites_a_focal_point_who_sets_a_password_and_signs_in(
    cast, page, live_server, settings, sign_in
):
    settings.SITE_URL = live_server.url
    sign_in(cast.secretariat.email)
    page.get_by_role("link", name="Secretariat").first.click()
    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("E-mail address").fill("new.focal@example.org")
    page.get_by_label("Full name").fill("Amina Otieno")
    page.get_by_label("Role").select_option(label="Focal point")
    page.get_by_label("State (focal points only)").select_option(label="Kenya")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("new.focal@example.org has been invited by e-mail.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    link = re.search(r"http://\S+/reset/\S+/", mail.outbox[-1].body).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    page.get_by_label("New password:", exact=True).fill("a long and private passphrase")
    page.get_by_label("New password confirmation").fill("a long and private passphrase")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Password set")).to_be_visible()

    sign_in("new.focal@example.org", "a long and private passphrase")
    expect(page.get_by_text("You are a focal point for Kenya")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.goto(link)  # the link worked once
    expect(page.get_by_role("alert")).to_contain_text("already been used or has expired")


def test_a_signed_in_user_changes_their_password(cast, page, sign_in):
    sign_in(cast.owner.email)
    page.get_by_role("link", name="Password").click()
    page.get_by_label("Old password").fill("correct horse battery staple")
    page.get_by_label("New password:", exact=True).fill("another long passphrase 2026")
    page.get_by_label("New password confirmation").fill("another long passphrase 2026")
    page.get_by_role("button", name="Change your password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    cast.owner.refresh_from_db()
    assert cast.owner.check_password("another long passphrase 2026")
