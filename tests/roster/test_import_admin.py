"""The experts import in the restricted admin (issue 12, item 7): a template to download, a preview that states how
the file was read and what each row would do before anything is saved, then the import on confirmation.

The two steps, the token and the file reading are the needs import's (portal/admin_import.py), tested in full in
tests/needs/test_import.py; here, what the experts import adds."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from roster.imports import COLUMNS, OPTIONAL_COLUMNS, expert_import
from roster.models import Expert
from tests.factories import ExpertFactory, expert_import_row

pytestmark = pytest.mark.django_db


def _file(rows: list[dict[str, str]], *, separator: str = ",", encoding: str = "utf-8") -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, delimiter=separator, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("experts.csv", text.getvalue().encode(encoding), content_type="text/csv")


def test_the_preview_states_how_the_file_was_read_and_saves_nothing_until_confirmed(cast):
    ExpertFactory(external_id="KEN-00000", nominating_state=cast.owner.state)
    client = cast.client_for("secretariat")
    rows = [expert_import_row(0), expert_import_row(1, family_name="Ngugi-Wa Thiong’o", given_name="Hélène")]
    preview = client.post(
        reverse("admin:roster_expert_import"), {"csv_file": _file(rows, separator=";", encoding="cp1252")}
    )
    body = preview.content.decode()
    assert "Read as Windows-1252 text, columns separated by semicolons (;)." in body
    assert "Step 2 of 2: 1 to create, 1 to update, 0 unchanged." in body
    assert "Ngugi-Wa Thiong’o, Hélène" in body and "1 February 2026" in body
    assert Expert.objects.count() == 1 and not AuditEvent.objects.filter(action="expert.import").exists()

    confirmed = client.post(
        reverse("admin:roster_expert_import_confirm"), {"token": preview.context["token"]}, follow=True
    )
    assert "Imported: 1 created, 1 updated, 0 unchanged." in confirmed.content.decode()
    assert Expert.objects.get(external_id="KEN-00001").given_name == "Hélène"
    event = AuditEvent.objects.get(action="expert.import")
    assert event.actor == cast.secretariat and event.details["created"] == 1


def test_a_preview_with_errors_names_each_cell_and_offers_no_confirmation(cast):
    rows = [expert_import_row(0), expert_import_row(1, nationality="ZZZ")]
    preview = cast.client_for("secretariat").post(reverse("admin:roster_expert_import"), {"csv_file": _file(rows)})
    body = preview.content.decode()
    assert "Read as UTF-8 text, columns separated by commas (,)." in body
    assert "row 3, nationality:" in body
    assert "Confirm and import" not in body and preview.context["token"] == ""
    assert not Expert.objects.exists()


def test_the_token_of_a_needs_preview_does_not_confirm_an_experts_import(cast):
    from needs.models import Need

    client = cast.client_for("secretariat")
    token = client.post(reverse("admin:roster_expert_import"), {"csv_file": _file([expert_import_row(0)])}).context[
        "token"
    ]
    response = client.post(reverse("admin:needs_need_import_confirm"), {"token": token}, follow=True)
    assert "The confirmation was not valid" in response.content.decode()
    assert not Expert.objects.exists() and not Need.objects.exists()


def test_the_template_has_the_columns_and_imports_as_an_empty_file(cast):
    client = cast.client_for("secretariat")
    response = client.get(reverse("admin:roster_expert_import_template"))
    assert response["Content-Disposition"] == 'attachment; filename="experts-import-template.csv"'
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body)))
    assert header == [*COLUMNS, *OPTIONAL_COLUMNS] and rows == []
    assert expert_import(file=body, by=None, dry_run=True).errors == []
    page = client.get(reverse("admin:roster_expert_import")).content.decode()
    assert reverse("admin:roster_expert_import_template") in page
    experts_list = client.get(reverse("roster:expert_list")).content.decode()
    assert reverse("admin:roster_expert_import") in experts_list


@pytest.mark.parametrize("who", ["owner", "focal_point_other_state", "anonymous"])
def test_only_the_secretariat_reaches_the_experts_import(cast, who):
    client = cast.client_for(who)
    for name in ("admin:roster_expert_import", "admin:roster_expert_import_template"):
        assert client.get(reverse(name)).status_code in (302, 403, 404)
    assert (
        reverse("admin:roster_expert_import")
        not in cast.client_for("owner").get(reverse("roster:expert_list")).content.decode()
    )
