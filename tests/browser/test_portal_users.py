"""An approver manages users in a real browser: the pages work without help and pass axe."""

import pytest

from funding.roles import Role
from tests.browser.axe import assert_accessible
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def test_an_approver_opens_the_users_pages_and_each_passes_axe(page, live_server):
    provider = OrganisationFactory(name="Chit Chat 4 U (test)")
    UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER], email="approver@provider.example")
    editor = UserFactory(
        organisation=provider, roles=[Role.PROVIDER_EDITOR], email="editor@provider.example", first_name="Eddie"
    )

    page.goto(f"{live_server.url}/portal/sign-in/?next=/portal/users/")
    page.get_by_label("Email address").fill("approver@provider.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/portal/users/")
    assert page.get_by_role("heading", level=1).inner_text() == "Users"
    assert page.get_by_role("link", name="Users").get_attribute("aria-current") == "page"
    assert_accessible(page)

    page.get_by_role("button", name="Invite a user").click()
    page.wait_for_url(f"{live_server.url}/portal/users/invite/")
    assert_accessible(page)

    page.get_by_role("button", name="Send invitation").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter their email address" in summary.inner_text()
    assert "Select what the user can do" in summary.inner_text()
    assert page.title().startswith("Error: Invite a user")
    assert_accessible(page)

    page.goto(f"{live_server.url}/portal/users/{editor.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate Eddie").click()
    page.wait_for_url(f"{live_server.url}/portal/users/{editor.pk}/deactivate/")
    assert_accessible(page)
