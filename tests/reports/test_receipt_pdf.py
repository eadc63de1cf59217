"""The receipt PDF of a submitted return: everything submitted, for the provider's users and the office only."""

import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from funding.roles import Role
from programmes.services import return_approve
from tests.factories import OrganisationFactory, UserFactory
from tests.programmes.portal_returns import navigator_return, submitted, temporary_evidence_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(provider, provider_approver, officer, tmp_path, monkeypatch):
    temporary_evidence_storage(monkeypatch, tmp_path)
    quarterly_return = navigator_return(provider=provider, officer=officer)
    return submitted(quarterly_return, provider_approver, files=2)


def pdf_text(content: bytes) -> str:
    """The PDF's text, as poppler reads it (the test system packages install poppler-utils)."""
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_the_receipt_holds_everything_submitted(provider_client, receipt, provider_approver):
    response = provider_client.get(reverse("reports:return_receipt_pdf", args=[receipt.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reference = f"{receipt.grant.identifier}-Q2-2024-25"
    assert response["Content-Disposition"] == f'attachment; filename="{reference}-receipt.pdf"'
    assert response.content.startswith(b"%PDF")
    text = " ".join(pdf_text(response.content).split())
    for expected in [
        "Q2 2024/25 return",
        reference,
        provider_approver.email,
        "Spend in Q2 2024/25",
        "Caseworkers £40,000.00 £40,000.00",  # planned and spent
        "Forecast for the rest of 2024/25",
        "Referrals received 12 220 12",  # this quarter, the year's target, so far
        "By age band: 10–13: 3",
        "Reduced risk at exit 17 of 23 (74%)",
        "Recruitment of a second caseworker.",
        "Amber",
        "register-0.pdf",
        "register-1.pdf",
        "Page 1 of",
    ]:
        assert expected in text, expected


def test_an_officer_can_download_it_too(officer_client, receipt, officer):
    return_approve(quarterly_return=receipt, user=officer)
    response = officer_client.get(reverse("reports:return_receipt_pdf", args=[receipt.pk]))
    assert response.status_code == 200 and "Status now Approved" in " ".join(pdf_text(response.content).split())


def test_another_organisation_gets_a_404(receipt):
    client = Client()
    client.force_login(UserFactory(organisation=OrganisationFactory(), roles=[Role.PROVIDER_APPROVER]))
    assert client.get(reverse("reports:return_receipt_pdf", args=[receipt.pk])).status_code == 404


def test_a_draft_has_no_receipt(provider_client, provider, officer):
    draft = navigator_return(provider=provider, officer=officer)
    assert provider_client.get(reverse("reports:return_receipt_pdf", args=[draft.pk])).status_code == 404


def test_anonymous_visitors_are_asked_to_sign_in(receipt):
    response = Client().get(reverse("reports:return_receipt_pdf", args=[receipt.pk]))
    assert response.status_code == 302 and response.url.startswith("/portal/sign-in/")


@pytest.mark.parametrize("client_fixture", ["finance_client", "board_client"])
def test_the_offices_readers_of_returns_can_download_it(request, client_fixture, receipt):
    client = request.getfixturevalue(client_fixture)
    response = client.get(reverse("reports:return_receipt_pdf", args=[receipt.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_content_editor_gets_a_404_not_the_providers_figures(receipt, content_editor):
    """Content editors keep the public site: a receipt's spend, unsuppressed counts of people, case study and the
    approver's name and e-mail are not theirs to read (funding.roles.RECORD_READER_ROLES)."""
    client = Client()
    client.force_login(content_editor)
    response = client.get(reverse("reports:return_receipt_pdf", args=[receipt.pk]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html") and b"%PDF" not in response.content
    assert b"Page not found" in response.content
