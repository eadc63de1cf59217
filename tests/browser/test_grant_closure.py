"""An officer closes a finished grant in the back office: the screens pass axe, and the closure is recorded."""

import pytest
from django.test import override_settings

from funding.roles import Role
from programmes.models import Grant, GrantClosure
from programmes.services import grant_activate, return_approve
from tests.browser.axe import assert_accessible
from tests.browser.test_back_office_sign_in import sign_in
from tests.factories import UserFactory, funded_grant, office_user
from tests.return_helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(OUTTURN_TODAY="2024-06-01")
def test_an_officer_closes_a_finished_grant(page, live_server):
    officer = office_user(Role.COMMISSIONING_OFFICER, email="officer@example.org")
    grant = funded_grant(amount="40000.00", title="The Space 2023")
    grant_activate(grant=grant, user=officer)
    approver = UserFactory(organisation=grant.provider, roles=[Role.PROVIDER_APPROVER])
    line = grant.budget_lines.get().name
    for quarterly_return in grant.returns.all():
        submit(quarterly_return, approver, {line: "9500.00"})
        return_approve(quarterly_return=quarterly_return, user=officer)

    sign_in(page, live_server, "officer@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("link", name="1 grant past its end date, ready to close").click()
    page.get_by_role("link", name=grant.identifier).first.wait_for()
    page.goto(f"{live_server.url}/admin/programmes/grants/inspect/{grant.pk}/")
    page.get_by_role("link", name="Close grant").click()
    page.wait_for_url(f"{live_server.url}/admin/programmes/grants/close/{grant.pk}/")
    assert "£38,000.00" in page.content()
    assert_accessible(page)

    page.get_by_role("button", name="Close the grant").click()
    page.get_by_text("Give the reason for closing the grant.").wait_for()
    assert_accessible(page)
    page.get_by_label("Reason for closing").fill("Delivered; a little under budget")
    page.get_by_role("button", name="Close the grant").click()
    page.wait_for_url(f"{live_server.url}/admin/programmes/grants/inspect/{grant.pk}/")
    assert "is closed at its final spend of £38,000.00" in page.locator(".messages").inner_text()
    page.wait_for_timeout(1000)  # the message fades in: axe would measure its contrast half-way
    assert_accessible(page)
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.CLOSED
    assert GrantClosure.objects.get(grant=grant).released.amount == 2000
