import pytest

from funding.roles import Role
from tests.factories import UserFactory, office_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_signs_in_with_email_and_reaches_the_funding_menu(page, live_server):
    office_user(Role.COMMISSIONING_OFFICER, email="officer@example.org")
    sign_in(page, live_server, "officer@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("button", name="Funding").click()
    page.get_by_role("link", name="Funding streams").click()
    page.wait_for_url(f"{live_server.url}/admin/funding/streams/")
    assert page.title().startswith("Funding streams")


def test_a_provider_user_cannot_enter_the_back_office(page, live_server):
    UserFactory(email="editor@provider.example", roles=[Role.PROVIDER_EDITOR])
    sign_in(page, live_server, "editor@provider.example")
    assert page.url.startswith(f"{live_server.url}/admin/login/")
    assert "You do not have permission to access the admin" in page.locator(".messages").inner_text()
