"""An officer works through the review queue in the back office: the screens pass axe, and approval goes through."""

import pytest

from funding.money import gbp
from funding.roles import Role
from programmes.models import QuarterlyReturn
from programmes.services import grant_activate
from tests.browser.axe import assert_accessible
from tests.browser.test_back_office_sign_in import sign_in
from tests.factories import BudgetLineFactory, OrganisationFactory, UserFactory, funded_grant, office_user
from tests.return_helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_reviews_a_return_from_the_queue_and_approves_it(page, live_server):
    officer = office_user(Role.COMMISSIONING_OFFICER, email="officer@example.org")
    provider = OrganisationFactory(name="Chit Chat 4 U (test)")
    approver = UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER])
    grant = funded_grant(provider=provider, title="Navigator", lead_officer=officer)
    staff = grant.budget_lines.get()
    staff.name, staff.amount = "Staff", gbp("20000.00")
    staff.save()
    BudgetLineFactory(grant=grant, name="Travel", amount=gbp("20000.00"))
    grant_activate(grant=grant, user=officer)
    q1 = grant.returns.get(quarter=1)
    submit(q1, approver, {"Staff": "5000.00", "Travel": "6000.00"}, explanations={"Travel": "Extra home visits."})

    sign_in(page, live_server, "officer@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("button", name="Returns").click()
    page.get_by_role("link", name="Review queue").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/review/")
    assert_accessible(page)
    page.screenshot(path="/tmp/queue.png", full_page=True)

    page.get_by_role("link", name=str(grant)).click()
    page.wait_for_url(f"{live_server.url}/admin/returns/review/{q1.pk}/")
    assert "more than 10%" in page.locator("#spend-section tbody").inner_text().lower()
    assert_accessible(page)
    page.screenshot(path="/tmp/review.png", full_page=True)

    page.get_by_role("button", name="Approve this return").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/review/")
    assert "is approved" in page.locator(".messages").inner_text()
    assert QuarterlyReturn.objects.get(pk=q1.pk).status == QuarterlyReturn.Status.APPROVED
