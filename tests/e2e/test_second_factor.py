"""A secretariat member signs in with a code from an authenticator app; a member without one sets it up first."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.e2e.test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_secretariat_member_signs_in_with_a_totp_code_and_opens_the_workspace(cast, page, sign_in):
    sign_in(cast.secretariat.email)  # password, then the app's current code on the second factor's page
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    page.get_by_role("link", name="Secretariat", exact=True).click()
    expect(page.get_by_role("heading", name="Secretariat workspace")).to_be_visible()


def test_a_member_without_a_device_is_sent_to_enrolment_and_sets_up_the_app(cast, page, sign_in, live_server):
    sign_in(cast.secretariat.email, second_factor=False)
    page.goto(f"{live_server.url}/secretariat/roster/expert/")

    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    assert _violations(page) == []
    # What the phone's app does with the key (typed by hand here rather than scanned).
    key = page.locator(".otp-secret").inner_text().replace(" ", "")
    code = totp(b32decode(key + "=" * (-len(key) % 8)))
    page.get_by_label("Code").fill("000000" if code != 0 else "111111")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("This code is not valid")

    page.wait_for_timeout(1100)  # django-otp's wait after one wrong code
    page.get_by_label("Code").fill(f"{totp(b32decode(key + '=' * (-len(key) % 8))):06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Select expert to view")).to_be_visible()
