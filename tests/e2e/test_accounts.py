import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invited_focal_point_sets_a_password_from_the_mail_and_signs_in(page, live_server, settings, sign_in):
    settings.SITE_URL = live_server.url
    call_command("create_focal_point", "--state", "KEN", "--email", "new.focal@example.org", "--name", "Amina Otieno")
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
