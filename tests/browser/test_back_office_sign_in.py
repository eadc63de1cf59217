import pytest

from funding.roles import Role
from tests.browser.axe import assert_accessible
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
    """They are sent to the provider portal, signed in, and told why, rather than stopped at the back office."""
    UserFactory(email="editor@provider.example", roles=[Role.PROVIDER_EDITOR])
    sign_in(page, live_server, "editor@provider.example")
    page.wait_for_url(f"{live_server.url}/portal/")
    assert "The back office is for the Commissioner's office" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.goto(f"{live_server.url}/admin/returns/quarterly-returns/")
    assert page.url == f"{live_server.url}/portal/"


def test_a_refusal_and_a_missing_page_are_styled_and_pass_axe(page, live_server):
    """An editor opening the approvers' users page, and a page that is not there, in the portal and on the site."""
    UserFactory(email="editor@provider.example", roles=[Role.PROVIDER_EDITOR])
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email address").fill("editor@provider.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/portal/")

    response = page.goto(f"{live_server.url}/portal/users/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You do not have access to this page"
    assert "Only your organisation's approvers can manage its users" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Go to your grants and returns").click()
    page.wait_for_url(f"{live_server.url}/portal/")

    for path in ("/portal/grants/999999/", "/no-such-page/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
        assert_accessible(page)
