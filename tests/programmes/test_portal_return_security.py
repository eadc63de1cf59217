"""Tries to break the rules around a return in the portal: whose it is, who submits, when it is locked, CSRF."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from programmes.models import EvidenceFile, IndicatorValue, QuarterlyReturn, SpendLine
from programmes.services import RETURN_LOCKED, return_approve, return_send_back
from tests.programmes.portal_returns import (
    PDF,
    fill,
    indicator_data,
    narrative_data,
    navigator_return,
    spend_data,
    submitted,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_storage")]

RETURN_URLS = [
    "return",
    "return_spend",
    "return_indicators",
    "return_narrative",
    "return_evidence",
    "return_check",
    "return_receipt",
]
FILE_URLS = ["evidence_download", "evidence_delete"]
SECTIONS = {
    "return_spend": spend_data,
    "return_indicators": indicator_data,
    "return_narrative": narrative_data,
    "return_check": lambda quarterly_return: {"version": quarterly_return.version, "confirm": "on"},
}


def every_url(quarterly_return) -> list[str]:
    evidence = quarterly_return.evidence.get()
    return [reverse(f"portal:{name}", args=[quarterly_return.pk]) for name in RETURN_URLS] + [
        reverse(f"portal:{name}", args=[quarterly_return.pk, evidence.pk]) for name in FILE_URLS
    ]


@pytest.fixture
def filed(navigator, provider_approver):
    """The return, submitted (so the receipt exists) with one evidence file."""
    return submitted(navigator, provider_approver, files=1)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("index", range(len(RETURN_URLS) + len(FILE_URLS)))
def test_another_organisations_user_gets_a_404_at_every_return_url(outsider_client, filed, method, index):
    address = every_url(filed)[index]
    assert getattr(outsider_client, method)(address).status_code == 404
    assert EvidenceFile.objects.count() == 1 and QuarterlyReturn.objects.get(pk=filed.pk).status == "submitted"


@pytest.mark.parametrize("index", range(len(RETURN_URLS) + len(FILE_URLS)))
def test_office_users_are_sent_to_the_back_office(officer_client, filed, index):
    response = officer_client.get(every_url(filed)[index])
    assert response.status_code == 302 and response.url == "/admin/"


@pytest.mark.parametrize("index", range(len(RETURN_URLS) + len(FILE_URLS)))
def test_anonymous_visitors_are_asked_to_sign_in(filed, index):
    response = Client().get(every_url(filed)[index])
    assert response.status_code == 302 and response.url.startswith("/portal/sign-in/?next=")


def test_the_return_pk_and_file_pk_must_belong_together(provider_client, filed, provider, officer):
    """A file cannot be reached through the URL of a return it does not belong to."""
    other = navigator_return(provider=provider, officer=officer, quarter=3)
    evidence = filed.evidence.get()
    assert provider_client.get(reverse("portal:evidence_download", args=[other.pk, evidence.pk])).status_code == 404


# --- A provider editor prepares; only an approver submits ---------------------------------------------------


def test_an_editor_sees_no_submit_button(editor_client, navigator, provider_editor):
    fill(navigator, provider_editor)
    html = editor_client.get(reverse("portal:return_check", args=[navigator.pk])).content.decode()
    assert "An approver in your organisation submits the return" in html
    assert "Submit the return" not in html and 'name="confirm"' not in html


def test_an_editors_forged_submission_is_refused(editor_client, navigator, provider_editor):
    fill(navigator, provider_editor)
    response = editor_client.post(
        reverse("portal:return_check", args=[navigator.pk]), {"version": navigator.version, "confirm": "on"}
    )
    assert response.status_code == 403
    navigator.refresh_from_db()
    assert (navigator.status, navigator.submitted_at) == ("draft", None)


# --- Nobody changes a submitted or approved return through the portal ----------------------------------------


def snapshot(quarterly_return):
    quarterly_return.refresh_from_db()
    return (
        quarterly_return.status,
        quarterly_return.version,
        quarterly_return.progress,
        sorted(SpendLine.objects.filter(quarterly_return=quarterly_return).values_list("actual", flat=True)),
        sorted(
            IndicatorValue.objects.filter(quarterly_return=quarterly_return).values_list("value", flat=True), key=str
        ),
        list(quarterly_return.evidence.values_list("pk", flat=True)),
    )


@pytest.fixture(params=["submitted", "approved"])
def locked(request, navigator, provider_approver, officer):
    submitted(navigator, provider_approver, files=1)
    if request.param == "approved":
        return_approve(quarterly_return=navigator, user=officer)
    navigator.refresh_from_db()
    return navigator


@pytest.mark.parametrize("name", [*SECTIONS, "return_evidence"])
def test_a_locked_return_refuses_every_section(provider_client, locked, name):
    before = snapshot(locked)
    data = {**SECTIONS[name](locked), "progress": "Changed"} if name in SECTIONS else {"file": _pdf()}
    response = provider_client.post(reverse(f"portal:{name}", args=[locked.pk]), data)
    assert response.status_code == 200
    message = RETURN_LOCKED.format(status=locked.get_status_display().lower())
    assert message in response.content.decode()
    assert snapshot(locked) == before


def test_a_locked_return_keeps_its_evidence(provider_client, locked):
    evidence = locked.evidence.get()
    response = provider_client.post(reverse("portal:evidence_delete", args=[locked.pk, evidence.pk]))
    assert RETURN_LOCKED.format(status=locked.get_status_display().lower()) in response.content.decode()
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()
    assert evidence.file.storage.exists(evidence.file.name)


def test_a_return_sent_back_for_changes_can_be_changed_again(provider_client, navigator, provider_approver, officer):
    submitted(navigator, provider_approver)
    return_send_back(quarterly_return=navigator, user=officer, reason="Explain the travel variance")
    navigator.refresh_from_db()
    response = provider_client.post(
        reverse("portal:return_narrative", args=[navigator.pk]), narrative_data(navigator, progress="Explained")
    )
    assert response.status_code == 302
    assert QuarterlyReturn.objects.get(pk=navigator.pk).progress == "Explained"


# --- CSRF ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*SECTIONS, "return_evidence"])
def test_a_post_without_the_csrf_token_is_refused(provider_approver, navigator, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_approver)
    before = snapshot(navigator)
    data = SECTIONS[name](navigator) if name in SECTIONS else {"file": _pdf()}
    response = client.post(reverse(f"portal:{name}", args=[navigator.pk]), data)
    assert response.status_code == 403
    assert snapshot(navigator) == before


def test_the_forms_carry_the_csrf_token(provider_approver, navigator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_approver)
    html = client.get(reverse("portal:return_narrative", args=[navigator.pk])).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html


def _pdf():
    return SimpleUploadedFile("register.pdf", PDF, content_type="application/pdf")
