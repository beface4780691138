"""CV uploads are recognised by their bytes, kept private, and a refused one costs the user nothing."""

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from roster.models import Expert
from roster.uploads import DOCX, ODT, PDF, cv_validate
from tests.factories import cv_docx_bytes, cv_odt_bytes, cv_pdf_bytes, nomination_form_data

pytestmark = pytest.mark.django_db

# The first bytes of a Windows executable: what a renamed .exe starts with.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _stored_files(settings) -> set[Path]:
    # The private root is shared by the whole test run, so tests compare before and after.
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"]) / "cv"
    return set(root.glob("*")) if root.exists() else set()


@pytest.mark.parametrize(
    "name, content, content_type, kind",
    [
        ("cv.pdf", cv_pdf_bytes(), "application/pdf", PDF),
        ("cv.docx", cv_docx_bytes(), "application/octet-stream", DOCX),
        ("cv.odt", cv_odt_bytes(), "application/octet-stream", ODT),
        # The name and the browser's word do not matter; the content does.
        ("resume.bin", cv_pdf_bytes(), "text/plain", PDF),
    ],
)
def test_real_documents_are_accepted_by_content(name, content, content_type, kind):
    assert cv_validate(SimpleUploadedFile(name, content, content_type=content_type)).content_type == kind


@pytest.mark.parametrize(
    "name, content",
    [
        ("cv.pdf", EXE),  # a renamed executable
        ("cv.pdf", b"This is plain text pretending to be a PDF.\n"),
        ("cv.docx", _zip({"readme.txt": b"hello"})),  # a ZIP, but not a Word document
        ("cv.docx", _zip({"[Content_Types].xml": b"<Types/>"})),  # no word/document.xml
        ("cv.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),  # a spreadsheet
        ("cv.odt", b"PK\x03\x04 truncated archive"),
        ("cv.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_anything_else_is_rejected_whatever_its_name(name, content):
    with pytest.raises(ValidationError, match="PDF, Word \\(DOCX\\) or OpenDocument"):
        cv_validate(SimpleUploadedFile(name, content, content_type="application/pdf"))


def test_a_file_over_the_limit_is_rejected_with_the_limit_stated(settings):
    big = cv_pdf_bytes() + b"%" * (settings.ROSTER_CV_MAX_BYTES + 1)
    with pytest.raises(ValidationError) as refused:
        cv_validate(SimpleUploadedFile("cv.pdf", big))
    # In the label's units ("at most 5 MB", issue 12 item 3), with the file's own size.
    assert refused.value.messages == ["The file is 5.1 MB, more than the limit of 5 MB. Please choose a smaller file."]


def test_an_empty_file_is_rejected():
    with pytest.raises(ValidationError, match="empty"):
        cv_validate(SimpleUploadedFile("cv.pdf", b""))


# Fields beyond the minimal draft, so that the re-rendered form shows it keeps every kind of input.
FULL_PROFILE = {
    "profile-phone": "+254 700 000",
    "profile-current_position": "Head of investigations",
    "profile-summary": "Asset recovery",
}


@pytest.mark.parametrize(
    "name, content",
    [
        ("cv.pdf", EXE),
        ("cv.pdf", b"just text"),
        ("cv.docx", _zip({"x.txt": b"x"})),
    ],
)
def test_a_rejected_upload_re_renders_the_form_with_everything_else_kept(cast, settings, name, content):
    upload = SimpleUploadedFile(name, content)
    files_before = _stored_files(settings)
    data = nomination_form_data(**FULL_PROFILE)
    response = cast.client_for("owner").post(reverse("roster:expert_nominate"), {**data, "profile-cv": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This file is none of these, whatever its name says." in body
    assert 'role="alert"' in body
    for kept in ("José", "Ramírez", "jose.ramirez@example.org", *FULL_PROFILE.values()):
        assert kept in body
    assert 'value="15" id="id_expertise-article-15" checked>' in body
    # Nothing half-written: no expert, no stored file, no audit row.
    assert not Expert.objects.exists() and not AuditEvent.objects.exists()
    assert _stored_files(settings) == files_before


def test_an_oversized_upload_through_the_page_is_refused_and_nothing_is_stored(cast, settings):
    settings.ROSTER_CV_MAX_BYTES = 1024  # the rule is the setting; a small one keeps the test light
    big = SimpleUploadedFile("cv.pdf", cv_pdf_bytes() + b"%" * 2048)
    files_before = _stored_files(settings)
    response = cast.client_for("owner").post(
        reverse("roster:expert_nominate"), {**nomination_form_data(), "profile-cv": big}
    )
    assert response.status_code == 400
    assert "more than the limit" in response.content.decode()
    assert not Expert.objects.exists() and _stored_files(settings) == files_before


def test_a_five_megabyte_limit_is_the_default(settings):
    assert settings.ROSTER_CV_MAX_BYTES == 5 * 1024 * 1024


@pytest.mark.parametrize(
    "content, content_type, extension",
    [
        (cv_pdf_bytes(), PDF, ".pdf"),
        (cv_docx_bytes(), DOCX, ".docx"),
        (cv_odt_bytes(), ODT, ".odt"),
    ],
)
def test_an_accepted_cv_is_stored_privately_under_a_server_chosen_name(
    cast, settings, content, content_type, extension
):
    upload = SimpleUploadedFile("../../etc/My CV (final).exe", content, content_type="application/x-msdownload")
    response = cast.client_for("owner").post(
        reverse("roster:expert_nominate"), {**nomination_form_data(), "profile-cv": upload}
    )
    assert response.status_code == 302
    expert = Expert.objects.get()
    assert expert.cv_content_type == content_type
    assert expert.cv_original_name == f"My CV (final){extension}"
    stored = Path(expert.cv_file.path)
    assert stored.parent == Path(settings.STORAGES["private"]["OPTIONS"]["location"]) / "cv"
    assert stored.suffix == extension and "CV" not in stored.name and stored.read_bytes() == content
    assert oct(os.stat(stored).st_mode & 0o777) == "0o600"


def test_replacing_a_cv_removes_the_old_file_after_commit(cast, settings, django_capture_on_commit_callbacks):
    client = cast.client_for("owner")
    with django_capture_on_commit_callbacks(execute=True):
        first = SimpleUploadedFile("a.pdf", cv_pdf_bytes())
        client.post(reverse("roster:expert_nominate"), {**nomination_form_data(), "profile-cv": first})
    expert = Expert.objects.get()
    old = Path(expert.cv_file.path)
    data = nomination_form_data(**{"profile-version": str(expert.version), "action": "save"})
    with django_capture_on_commit_callbacks(execute=True):
        second = SimpleUploadedFile("b.odt", cv_odt_bytes())
        response = client.post(reverse("roster:expert_edit", args=[expert.pk]), {**data, "profile-cv": second})
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.cv_original_name == "b.odt" and not old.exists() and Path(expert.cv_file.path).exists()
