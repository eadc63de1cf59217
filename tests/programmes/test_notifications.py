"""E-mail sent when a return moves through its workflow: who gets it, what it says, and only once committed."""

import pytest
from django.core import mail
from django.db import transaction

from funding.roles import Role
from programmes import notifications
from programmes.services import grant_activate, return_submit
from tests.factories import UserFactory, funded_grant, office_user
from tests.return_helpers import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(officer, provider):
    grant = funded_grant(provider=provider, title="Navigator", lead_officer=officer)
    grant_activate(grant=grant, user=officer)
    return grant


@pytest.fixture
def q1(grant, provider_approver):
    quarterly_return = grant.returns.get(quarter=1)
    fill(quarterly_return, provider_approver, {grant.budget_lines.get().name: "10000.00"})
    return quarterly_return


def test_a_submission_sends_the_provider_a_receipt_and_the_lead_officer_a_link_to_review(
    q1, provider, provider_editor, provider_approver, django_capture_on_commit_callbacks
):
    UserFactory(organisation=provider, roles=[Role.PROVIDER_EDITOR], email="left@provider.example", is_active=False)
    UserFactory(roles=[Role.PROVIDER_APPROVER], email="someone@elsewhere.example")  # another organisation
    with django_capture_on_commit_callbacks(execute=True):
        return_submit(quarterly_return=q1, user=provider_approver)
    receipt, ready = mail.outbox
    identifier = q1.grant.identifier
    assert receipt.to == ["approver@provider.example", "editor@provider.example"]
    assert receipt.subject == f"Q1 2023/24 return for {identifier} received"
    assert "We have received your Q1 2023/24 return" in receipt.body
    assert ready.to == ["officer@example.org"]
    assert ready.subject == f"Q1 2023/24 return for {identifier} ready for review"
    assert f"http://127.0.0.1:8000/admin/returns/review/{q1.pk}/" in ready.body
    assert "Chit Chat 4 U (test) has submitted" in ready.body  # plain text: the name is not HTML-escaped


def test_without_a_lead_officer_every_commissioning_officer_is_told(
    q1, provider_approver, django_capture_on_commit_callbacks
):
    q1.grant.lead_officer = None
    q1.grant.save()
    office_user(Role.COMMISSIONING_OFFICER, email="second.officer@example.org")
    office_user(Role.FINANCE_OFFICER, email="finance@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        return_submit(quarterly_return=q1, user=provider_approver)
    ready = next(message for message in mail.outbox if "ready for review" in message.subject)
    assert ready.to == ["officer@example.org", "second.officer@example.org"]


def test_nothing_is_sent_when_the_change_is_rolled_back(q1, provider_approver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        return_submit(quarterly_return=q1, user=provider_approver)
        raise RuntimeError("the request fails after the service")
    assert mail.outbox == []


def test_portal_links_point_at_the_return_when_the_portal_offers_it(
    q1, provider_approver, django_capture_on_commit_callbacks, settings
):
    settings.WAGTAILADMIN_BASE_URL = "https://outturn.example.org/"
    with django_capture_on_commit_callbacks(execute=True):
        return_submit(quarterly_return=q1, user=provider_approver)
    receipt = mail.outbox[0]
    assert "https://outturn.example.org/portal/" in receipt.body
    assert "//portal" not in receipt.body.replace("https://", "")


def test_nothing_is_sent_about_events_replayed_while_muted(q1, provider_approver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), notifications.muted():
        return_submit(quarterly_return=q1, user=provider_approver)
    assert mail.outbox == []
