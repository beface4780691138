import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_focal_point_signs_in_and_sees_home_for_their_state(cast, page, sign_in):
    sign_in(cast.owner.email)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    expect(page.get_by_text("You are a focal point for Kenya")).to_be_visible()
    expect(page.get_by_role("link", name="Nominate experts of Kenya and keep their profiles current")).to_be_visible()


def test_wrong_password_shows_an_error(cast, page, sign_in):
    sign_in(cast.owner.email, password="not the password")
    expect(page.get_by_role("alert")).to_contain_text("did not match")
    expect(page).to_have_url(f"{page.url.split('/accounts')[0]}/accounts/login/")


def test_repeated_failures_lock_the_account(cast, page, sign_in, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(cast.owner.email, password="not the password")
    expect(page.get_by_role("heading", name="Account locked")).to_be_visible()
    sign_in(cast.owner.email)  # even the right password is refused while locked
    expect(page.get_by_role("heading", name="Account locked")).to_be_visible()
