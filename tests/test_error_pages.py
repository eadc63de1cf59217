"""Refusals and errors are pages in the GOV.UK layout of the part of the site asked, saying what to do next."""

import pytest
from django.test import Client
from django.utils.html import escape
from wagtail.models import Site

from programmes.portal import selectors as portal_selectors
from programmes.portal.access import ONLY_APPROVERS

pytestmark = pytest.mark.django_db

GOVUK_LAYOUT = 'class="govuk-template"'
PORTAL_NAVIGATION = "Grants and returns"


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_an_editor_on_the_users_page_gets_the_portals_403_saying_who_can(provider_editor):
    response = signed_in(provider_editor).get("/portal/users/")
    page = response.content.decode()
    assert response.status_code == 403
    assert GOVUK_LAYOUT in page and PORTAL_NAVIGATION in page and "Sign out" in page
    assert "<title>You do not have access to this page – Provider portal" in page
    assert '<h1 class="govuk-heading-l">You do not have access to this page</h1>' in page
    assert escape(ONLY_APPROVERS) in page
    assert f"You are signed in as {provider_editor.email}" in page
    assert 'href="/portal/">Go to your grants and returns</a>' in page


def test_another_organisations_grant_is_the_portals_404_which_says_nothing_of_it(provider_editor):
    response = signed_in(provider_editor).get("/portal/grants/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert GOVUK_LAYOUT in page and PORTAL_NAVIGATION in page
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page
    assert "matches the given query" not in page


def test_a_missing_public_page_is_the_public_sites_404():
    response = Client().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert GOVUK_LAYOUT in page and "Page not found" in page and 'href="/">Go to the home page</a>' in page
    assert PORTAL_NAVIGATION not in page


def test_a_missing_record_in_the_back_office_is_wagtails_own_styled_404(officer):
    response = signed_in(officer).get("/admin/returns/review/999999/")
    assert response.status_code == 404
    assert "wagtailadmin/404.html" in [template.name for template in response.templates]


def test_a_refusal_outside_the_admins_own_handling_is_a_styled_403_leading_to_the_back_office(officer):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": officer.email})
    page = response.content.decode()
    assert response.status_code == 403
    assert GOVUK_LAYOUT in page and 'href="/admin/">Go to the back office</a>' in page


def test_a_failure_is_a_styled_500_that_needs_nothing_from_the_request(provider_editor, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(portal_selectors, "portal_grant_list", broken)
    response = signed_in(provider_editor).get("/portal/")
    page = response.content.decode()
    assert response.status_code == 500
    assert GOVUK_LAYOUT in page and "Sorry, there is a problem with the service" in page
    assert "database went away" not in page


def test_a_form_sent_without_its_security_token_gets_a_styled_page_saying_what_to_do(provider_editor):
    response = Client(enforce_csrf_checks=True).post("/portal/sign-in/", {"username": provider_editor.email})
    page = response.content.decode()
    assert response.status_code == 403
    assert GOVUK_LAYOUT in page and "Sorry, the form could not be sent" in page
    assert "Go back, reload the page and try again" in page


def test_the_public_404_renders_even_with_no_site_to_answer():
    """As after a flush of the database: the public layout's menu and footer have no site to read."""
    Site.objects.all().delete()
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
