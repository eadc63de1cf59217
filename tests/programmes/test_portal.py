"""The provider portal's sign-in, home and grant pages, and who may see them."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from funding.money import gbp
from programmes.models import QuarterlyReturn
from programmes.portal.access import BACK_OFFICE_IS_FOR_THE_OFFICE
from programmes.services import grant_activate, payment_create, return_send_back
from tests.factories import OrganisationFactory, TargetFactory, UserFactory, funded_grant

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
TODAY = "2023-11-15"  # Q3 2023/24: Q1 overdue since 30 July, Q2 due on 30 October


@pytest.fixture
def active_grant(officer, provider):
    grant = funded_grant(provider=provider, title="Navigator caseworkers")
    grant_activate(grant=grant, user=officer)
    return grant


def sign_in(client, email, password=PASSWORD):
    return client.post("/portal/sign-in/", {"username": email, "password": password})


def test_a_provider_user_signs_in_with_email_and_lands_on_the_portal(client, provider_editor):
    response = sign_in(client, provider_editor.email)
    assert response.status_code == 302 and response.url == "/portal/"


def test_a_wrong_password_says_what_to_do(client, provider_editor):
    response = sign_in(client, provider_editor.email, "not-the-password")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()


def test_office_users_are_sent_to_the_back_office(client, officer):
    assert sign_in(client, officer.email).url == "/admin/"
    assert client.get("/portal/").url == "/admin/"


def test_anonymous_visitors_are_asked_to_sign_in(client):
    response = client.get("/portal/")
    assert response.status_code == 302 and response.url.startswith("/portal/sign-in/?next=/portal/")


def test_a_user_with_no_provider_role_is_refused(client, provider):
    client.force_login(UserFactory(organisation=provider, roles=[]))
    assert client.get("/portal/").status_code == 403


def test_sign_in_is_throttled_after_five_failures(client, provider_editor):
    for _ in range(5):
        sign_in(client, provider_editor.email, "wrong")
    response = sign_in(client, provider_editor.email)  # even the right password, until the lock expires
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()


def test_signing_out_needs_a_post(client, provider_editor):
    client.force_login(provider_editor)
    assert client.post("/portal/sign-out/").url == "/portal/sign-in/"
    assert client.get("/portal/").status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(client, provider_editor):
    response = client.post("/portal/password-reset/", {"email": provider_editor.email})
    assert response.url == "/portal/password-reset/sent/"
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/portal/password-reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get(f"/{path}", follow=True)
    assert "Set your password" in form.content.decode()
    client.post(
        form.redirect_chain[-1][0], {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"}
    )
    assert sign_in(Client(), provider_editor.email, "a-new-long-passphrase").status_code == 302


def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    response = client.post("/portal/password-reset/", {"email": "nobody@example.org"})
    assert response.url == "/portal/password-reset/sent/"
    assert mail.outbox == []


@override_settings(OUTTURN_TODAY=TODAY)
def test_home_lists_returns_as_a_task_list(client, provider_editor, active_grant, officer):
    client.force_login(provider_editor)
    html = client.get("/portal/").content.decode()
    assert "Q1 2023/24 return: Navigator caseworkers" in html
    assert "108 days late" in html  # due 30 July, today 15 November
    assert "Q3 2023/24 return" in html  # the current quarter has started
    assert "Q4 2023/24 return" not in html  # not begun yet


@override_settings(OUTTURN_TODAY=TODAY)
def test_home_shows_the_officers_comments_on_a_returned_return(client, provider_editor, active_grant, officer):
    QuarterlyReturn.objects.filter(grant=active_grant, quarter=1).update(status=QuarterlyReturn.Status.SUBMITTED)
    return_send_back(
        quarterly_return=active_grant.returns.get(quarter=1), user=officer, reason="Explain the travel spend"
    )
    client.force_login(provider_editor)
    html = client.get("/portal/").content.decode()
    assert "Changes needed" in html and "Explain the travel spend" in html


def test_home_shows_only_the_organisations_own_grants(client, provider_editor, active_grant, officer):
    other = funded_grant(provider=OrganisationFactory(name="Another provider"), title="Someone else's grant")
    grant_activate(grant=other, user=officer)
    client.force_login(provider_editor)
    html = client.get("/portal/").content.decode()
    assert "Navigator caseworkers" in html and "Someone else&#x27;s grant" not in html


def test_the_grant_page_shows_money_streams_budget_payments_targets_and_returns(
    client, provider_editor, active_grant, finance_officer
):
    payment_create(grant=active_grant, amount=gbp("10000.00"), date=datetime.date(2023, 6, 30), user=finance_officer)
    TargetFactory(grant=active_grant, indicator__name="Children supported", value=120)
    client.force_login(provider_editor)
    html = client.get(f"/portal/grants/{active_grant.pk}/").content.decode()
    for expected in [
        "£40,000.00",
        active_grant.charges.get().stream.name,
        active_grant.budget_lines.get().name,
        "£10,000.00",
        "Planned",
        "Children supported",
        "120",
        "Q4 2023/24 return",
    ]:
        assert expected in html


def test_another_organisations_grant_is_not_found(client, provider_editor, officer):
    other = funded_grant(provider=OrganisationFactory(name="Another provider"))
    grant_activate(grant=other, user=officer)
    client.force_login(provider_editor)
    assert client.get(f"/portal/grants/{other.pk}/").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@override_settings(OUTTURN_TODAY=TODAY)
def test_portal_pages_make_the_same_queries_however_many_grants(client, provider_editor, provider, officer):
    def add_grants(n):
        for _ in range(n):
            grant_activate(grant=funded_grant(provider=provider), user=officer)

    add_grants(1)
    client.force_login(provider_editor)
    grant = provider.grants.first()
    small = (_queries(client, "/portal/"), _queries(client, f"/portal/grants/{grant.pk}/"))
    add_grants(6)
    assert (_queries(client, "/portal/"), _queries(client, f"/portal/grants/{grant.pk}/")) == small


def test_every_portal_form_needs_its_csrf_token(provider_editor):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/portal/sign-in/", {"username": provider_editor.email, "password": PASSWORD}).status_code == 403
    client.force_login(provider_editor)
    assert client.post("/portal/sign-out/").status_code == 403


# --- Providers who find the back office --------------------------------------------------------------------------


def test_a_provider_who_signs_in_at_the_back_office_is_sent_to_the_portal_signed_in(client, provider_editor):
    response = client.post("/admin/login/", {"username": provider_editor.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == ("/portal/", 302)
    page = response.content.decode()
    assert escape(BACK_OFFICE_IS_FOR_THE_OFFICE) in page
    assert "You do not have permission to access the admin" not in page
    assert client.get("/portal/").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/login/", "/admin/logout/", "/admin/returns/quarterly-returns/", "/admin/pages/"]
)
def test_a_signed_in_provider_anywhere_in_the_back_office_is_sent_to_the_portal(client, provider_approver, path):
    client.force_login(provider_approver)
    response = client.get(path)
    assert response.status_code == 302 and response.url == "/portal/"


def test_office_users_and_visitors_are_not_sent_anywhere_new(client, officer):
    assert client.get("/admin/login/").status_code == 200
    assert 'href="/portal/sign-in/">sign in to the provider portal</a>' in client.get("/admin/login/").content.decode()
    client.force_login(officer)
    assert client.get("/admin/").status_code == 200
