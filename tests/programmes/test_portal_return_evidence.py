"""Evidence files on a return: the type read from the content, 10 MB at most, private storage, a checked download."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes.models import EvidenceFile
from programmes.services import EVIDENCE_MAX_BYTES
from tests.programmes.portal_returns import PDF

pytestmark = pytest.mark.django_db


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Age band", "Referrals"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def upload(client, quarterly_return, name, content):
    return client.post(
        reverse("portal:return_evidence", args=[quarterly_return.pk]), {"file": SimpleUploadedFile(name, content)}
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("training-register.pdf", PDF, "application/pdf"),
        ("referrals.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("minutes.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("poster.png", PNG, "image/png"),
        ("photo.JPEG", JPEG, "image/jpeg"),
        ("counts.csv", "Age band,Referrals\n10–13,9\n".encode(), "text/csv"),
    ],
)
def test_the_allowed_types_are_stored_privately_and_listed_with_their_size(
    provider_client, navigator, evidence_storage, name, content, content_type
):
    response = upload(provider_client, navigator, name, content)
    assert response.status_code == 302 and response.url == reverse("portal:return_evidence", args=[navigator.pk])
    evidence = EvidenceFile.objects.get()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (name, content_type, len(content))
    stored = Path(evidence_storage.path(evidence.file.name))
    assert stored.read_bytes() == content
    assert name not in evidence.file.name  # stored under a random name, never the person's
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    page = provider_client.get(response.url).content.decode()
    assert f"{name} has been uploaded" in page and name in page
    navigator.refresh_from_db()
    assert navigator.status == "draft"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.pdf",
            EXE,
            "report.pdf is not a PDF: its content is not a type you can upload. Choose a PDF, PNG, JPEG, Word (.docx), "
            "Excel (.xlsx) or CSV file",
        ),
        (
            "referrals.xlsx",
            PDF,
            "referrals.xlsx is not an Excel spreadsheet: its content is a PDF. Rename it or choose the right file",
        ),
        ("counts.csv", b"a,b\n\x00\x01\x02", "counts.csv is not a CSV file: its content is not a type you can upload"),
        ("counts.csv", b"\xff\xfe\x00binary", "counts.csv is not a CSV file"),
        ("setup.exe", EXE, "setup.exe must be a PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or CSV file"),
        ("notes.txt", b"plain words", "notes.txt must be a PDF, PNG, JPEG"),
        ("report", PDF, "report must be a PDF, PNG, JPEG"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(
    provider_client, navigator, evidence_storage, name, content, message
):
    html = upload(provider_client, navigator, name, content).content.decode()
    assert message.replace("'", "&#x27;") in html
    assert 'href="#id_file"' in html
    assert not EvidenceFile.objects.exists()
    assert not list(Path(evidence_storage.location).rglob("*.*"))


def test_a_file_over_10_mb_is_refused(provider_client, navigator, evidence_storage):
    big = PDF + b"0" * (11 * 1024 * 1024)
    assert len(big) > EVIDENCE_MAX_BYTES
    html = upload(provider_client, navigator, "scan.pdf", big).content.decode()
    assert "scan.pdf is larger than 10 MB: choose a file of 10 MB or less" in html
    assert not EvidenceFile.objects.exists()


def test_an_empty_upload_says_what_to_do(provider_client, navigator, evidence_storage):
    html = provider_client.post(reverse("portal:return_evidence", args=[navigator.pk]), {}).content.decode()
    assert "Select a file to upload" in html
    html = upload(provider_client, navigator, "empty.pdf", b"").content.decode()
    assert "The selected file is empty" in html


def test_the_download_is_an_attachment_that_is_never_sniffed(provider_client, navigator, evidence_storage):
    upload(provider_client, navigator, "training-register.pdf", PDF)
    evidence = EvidenceFile.objects.get()
    response = provider_client.get(reverse("portal:evidence_download", args=[navigator.pk, evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="training-register.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_another_organisation_cannot_download_it(provider_client, outsider_client, navigator, evidence_storage):
    upload(provider_client, navigator, "training-register.pdf", PDF)
    evidence = EvidenceFile.objects.get()
    address = reverse("portal:evidence_download", args=[navigator.pk, evidence.pk])
    assert outsider_client.get(address).status_code == 404


def test_a_file_is_deleted_after_asking_and_leaves_storage(
    provider_client, editor_client, navigator, evidence_storage, django_capture_on_commit_callbacks
):
    upload(provider_client, navigator, "training-register.pdf", PDF)
    evidence = EvidenceFile.objects.get()
    address = reverse("portal:evidence_delete", args=[navigator.pk, evidence.pk])
    assert "Are you sure you want to delete training-register.pdf?" in editor_client.get(address).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(address)
    assert response.status_code == 302
    assert not EvidenceFile.objects.exists()
    assert not evidence_storage.exists(evidence.file.name)
    assert "training-register.pdf has been deleted" in editor_client.get(response.url).content.decode()
