"""The CSV import: all or nothing, every error named by row and column, idempotent by external_id."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from needs.imports import COLUMNS, OPTIONAL_COLUMNS, need_import
from needs.models import Need
from tests.conftest import signed_in_client
from tests.factories import FocalPointFactory, NeedFactory, SecretariatFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def _row(i: int, **overrides: str) -> dict[str, str]:
    row = {
        "external_id": f"IRG-{i:05d}",
        "country": ["KEN", "SEN", "MEX", "IDN"][i % 4],
        "articles": "46;48",
        "assistance_type": "legal_advice",
        "languages": "fr;en",
        "priority": "high",
        "title": f"Mutual legal assistance procedures {i}",
        "description": 'Central authority, case management, "quoted" text, and a comma.',
        "source": "review_report",
        "source_reference": f"CAC/COSP/IRG/I/1/1/Add.{i}, para. 3",
        "review_cycle": "1",
    }
    row.update(overrides)
    return row


def _csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _write(tmp_path: Path, rows: list[dict[str, str]], name: str = "needs.csv") -> Path:
    path = tmp_path / name
    path.write_text(_csv_text(rows), encoding="utf-8")
    return path


def test_the_command_imports_a_file_and_reports_what_it_did(tmp_path, capsys):
    call_command("import_needs", str(_write(tmp_path, [_row(i) for i in range(3)])))
    assert "Created 3, updated 0, unchanged 0." in capsys.readouterr().out
    need = Need.objects.get(external_id="IRG-00001")
    assert need.requesting_state_id == "SEN" and need.status == "open" and need.created_by is None
    assert sorted(need.articles.values_list("pk", flat=True)) == [46, 48]
    assert sorted(need.working_languages.values_list("pk", flat=True)) == ["en", "fr"]
    assert need.description.startswith('Central authority, case management, "quoted"')
    event = AuditEvent.objects.get(action="need.import")
    assert event.details["created"] == ["IRG-00000", "IRG-00001", "IRG-00002"]
    assert need.history.count() == 1


def test_one_bad_row_among_a_thousand_good_ones_writes_nothing_and_names_the_row(tmp_path, capsys):
    rows = [_row(i) for i in range(1001)]
    rows[637] = _row(637, country="XXK")  # data row 638 is CSV row 639: the header is row 1
    path = _write(tmp_path, rows)
    with pytest.raises(CommandError) as error:
        call_command("import_needs", str(path))
    assert error.value.returncode == 1
    assert capsys.readouterr().err.splitlines()[0] == "row 639, country: unknown ISO 3166 alpha-3 code 'XXK'"
    assert not Need.objects.exists() and not AuditEvent.objects.filter(action="need.import").exists()


def test_every_error_of_every_row_is_reported(tmp_path):
    rows = [
        _row(0, articles="46;99", languages=""),
        _row(1),
        _row(2, priority="urgent", review_cycle="0", assistance_type="money"),
        _row(3, external_id="IRG-00001", title=""),
    ]
    result = need_import(csv_text=_csv_text(rows), by=None)
    assert [str(error) for error in result.errors] == [
        "row 2, articles: '99' is not an UNCAC article number (1 to 71)",
        "row 2, languages: Choose at least one working language.",
        "row 4, assistance_type: unknown type 'money'; use one of legal_advice, model_legislation, good_practices, "
        "onsite_expert, action_plan, capacity_building, model_agreement, other",
        "row 4, priority: 'urgent' is not one of high, medium, low",
        "row 4, review_cycle: '0' is not a review cycle number (1, 2, …)",
        "row 5, title: required",
        "row 5, external_id: 'IRG-00001' already appears in row 3",
    ]
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "row 1, header: the file is empty"),
        ("external_id,country\nA,KEN\n", "row 1, articles: missing column"),
        (HEADER + ",notes\n", "row 1, notes: unknown column"),
        (HEADER + "\nIRG-1,KEN,46\n", "row 2, columns: 3 fields, expected 11"),
    ],
)
def test_a_malformed_file_is_refused_with_the_row_named(text, message):
    result = need_import(csv_text=text, by=None)
    assert str(result.errors[0]).startswith(message)
    assert not Need.objects.exists()


def test_the_command_reads_a_windows_1252_file_with_semicolons_as_excel_saves_it(tmp_path):
    # Refused before issue 12, item 7; French and Spanish Excel saves CSV this way.
    path = tmp_path / "excel-fr.csv"
    path.write_bytes(
        (HEADER.replace(",", ";") + "\n" + "IRG-1;CIV;46;legal_advice;fr;high;Côte;;review_report;;1\n").encode(
            "cp1252"
        )
    )
    out = io.StringIO()
    call_command("import_needs", str(path), stdout=out)
    assert Need.objects.get().title == "Côte"
    assert "Read as Windows-1252 text, columns separated by semicolons (;)." in out.getvalue()


def test_the_command_refuses_a_file_that_is_neither_utf8_nor_windows_1252(tmp_path, capsys):
    path = tmp_path / "binary.csv"
    path.write_bytes((HEADER + "\n").encode() + b"IRG-1,CIV,46,legal_advice,fr,high,\x81\x8d,,review_report,,1\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_needs", str(path))
    assert "row 1, file: the file is neither UTF-8 nor Windows-1252 text" in capsys.readouterr().err


def test_a_byte_order_mark_and_a_quoted_multiline_description_are_read(tmp_path):
    text = "\ufeff" + _csv_text([_row(1, description="Line one\nLine two")])
    result = need_import(csv_text=text, by=None)
    assert result.ok and Need.objects.get().description == "Line one\nLine two"


def test_importing_the_same_file_twice_creates_no_duplicate(tmp_path, capsys):
    path = _write(tmp_path, [_row(i) for i in range(5)])
    call_command("import_needs", str(path))
    call_command("import_needs", str(path))
    assert "Created 0, updated 0, unchanged 5." in capsys.readouterr().out.splitlines()[-1]
    assert Need.objects.count() == 5
    assert all(need.version == 1 and need.history.count() == 1 for need in Need.objects.all())


def test_a_changed_row_updates_the_need_with_the_same_external_id(tmp_path, capsys):
    call_command("import_needs", str(_write(tmp_path, [_row(i) for i in range(3)])))
    changed = [_row(0), _row(1, articles="52", languages="es", priority="low"), _row(2), _row(3)]
    call_command("import_needs", str(_write(tmp_path, changed, "second.csv")))
    assert "Created 1, updated 1, unchanged 2." in capsys.readouterr().out
    need = Need.objects.get(external_id="IRG-00001")
    assert need.priority == "low" and need.version == 2
    assert list(need.articles.values_list("pk", flat=True)) == [52]
    assert list(need.working_languages.values_list("pk", flat=True)) == ["es"]
    assert need.history.latest().history_type == "~"
    assert AuditEvent.objects.filter(action="need.import").latest("id").details["updated"] == ["IRG-00001"]


def test_an_import_keeps_the_status_recorded_in_the_portal(tmp_path):
    NeedFactory(external_id="IRG-00000", status="shortlisting")
    need_import(csv_text=_csv_text([_row(0)]), by=None)
    assert Need.objects.get(external_id="IRG-00000").status == "shortlisting"


def test_dry_run_writes_nothing(tmp_path, capsys):
    NeedFactory(external_id="IRG-00000", title="Before")
    call_command("import_needs", str(_write(tmp_path, [_row(0), _row(1)])), "--dry-run")
    out = capsys.readouterr().out
    assert "Would create 1, would update 1, unchanged 0." in out and "nothing was written" in out
    assert Need.objects.count() == 1 and Need.objects.get().title == "Before"
    assert not AuditEvent.objects.filter(action="need.import").exists()


def test_a_focal_point_cannot_import():
    focal_point = FocalPointFactory()
    with pytest.raises(PermissionDenied):
        need_import(csv_text=_csv_text([_row(0)]), by=focal_point)
    assert not Need.objects.exists()


def test_the_command_exits_with_status_1_on_any_error(tmp_path, capsys, run_manage):
    path = _write(tmp_path, [_row(0), _row(1, country="ZZZ")])
    assert run_manage("import_needs", str(path)) == 1
    err = capsys.readouterr().err
    assert "row 3, country: unknown ISO 3166 alpha-3 code 'ZZZ'" in err
    assert "1 error(s); nothing was imported." in err
    assert not Need.objects.exists()


# --- the same import in the restricted admin, with a preview ---


def _upload(client, rows: list[dict[str, str]]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("needs.csv", _csv_text(rows).encode(), content_type="text/csv")
    return client.post(reverse("admin:needs_need_import"), {"csv_file": upload})


def test_the_admin_previews_then_imports_on_confirmation(cast):
    NeedFactory(external_id="IRG-00000", title="Before")
    client = cast.client_for("secretariat")
    preview = _upload(client, [_row(0), _row(1), _row(2)])
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "2 to create, 1 to update, 0 unchanged" in body
    assert "Mutual legal assistance procedures 2" in body
    assert Need.objects.count() == 1, "the preview writes nothing"
    token = preview.context["token"]
    confirmed = client.post(reverse("admin:needs_need_import_confirm"), {"token": token}, follow=True)
    assert "Imported: 2 created, 1 updated, 0 unchanged." in confirmed.content.decode()
    assert Need.objects.count() == 3
    assert Need.objects.get(external_id="IRG-00000").title == "Mutual legal assistance procedures 0"
    event = AuditEvent.objects.get(action="need.import")
    assert event.actor == cast.secretariat
    assert Need.objects.get(external_id="IRG-00001").created_by == cast.secretariat


def test_the_admin_preview_lists_errors_and_offers_no_confirmation(cast):
    preview = _upload(cast.client_for("secretariat"), [_row(0), _row(1, languages="xx")])
    body = preview.content.decode()
    assert "row 3, languages: &#x27;xx&#x27; is not a known ISO 639-1 language code" in body
    assert "Confirm and import" not in body and preview.context["token"] == ""
    assert not Need.objects.exists()


def test_a_tampered_or_foreign_confirmation_token_imports_nothing(cast):
    client = cast.client_for("secretariat")
    token = _upload(client, [_row(0)]).context["token"]
    response = client.post(reverse("admin:needs_need_import_confirm"), {"token": token[:-2] + "xx"}, follow=True)
    assert "The confirmation was not valid" in response.content.decode()
    colleague = SecretariatFactory()
    other = signed_in_client(colleague)
    response = other.post(reverse("admin:needs_need_import_confirm"), {"token": token}, follow=True)
    assert "The confirmation was not valid" in response.content.decode()
    assert not Need.objects.exists()


def test_an_expired_preview_imports_nothing(cast, monkeypatch):
    client = cast.client_for("secretariat")
    token = _upload(client, [_row(0)]).context["token"]
    later = timezone.now() + timedelta(minutes=30)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    response = client.post(reverse("admin:needs_need_import_confirm"), {"token": token}, follow=True)
    assert "more than 30 minutes old" in response.content.decode()
    assert not Need.objects.exists()


def test_a_confirmed_preview_cannot_be_confirmed_again(cast):
    client = cast.client_for("secretariat")
    token = _upload(client, [_row(0)]).context["token"]
    client.post(reverse("admin:needs_need_import_confirm"), {"token": token})
    response = client.post(reverse("admin:needs_need_import_confirm"), {"token": token}, follow=True)
    assert "The confirmation was not valid" in response.content.decode()
    assert AuditEvent.objects.filter(action="need.import").count() == 1


def test_a_newer_preview_supersedes_the_older_one(cast):
    client = cast.client_for("secretariat")
    older = _upload(client, [_row(0)]).context["token"]
    _upload(client, [_row(1)])
    response = client.post(reverse("admin:needs_need_import_confirm"), {"token": older}, follow=True)
    assert "The confirmation was not valid" in response.content.decode()
    assert not Need.objects.exists()


def test_a_need_recorded_between_preview_and_confirmation_is_updated_not_duplicated(cast):
    client = cast.client_for("secretariat")
    token = _upload(client, [_row(0), _row(1)]).context["token"]
    NeedFactory(external_id="IRG-00001")
    response = client.post(reverse("admin:needs_need_import_confirm"), {"token": token}, follow=True)
    assert "Imported: 1 created, 1 updated, 0 unchanged." in response.content.decode()


def test_the_admin_refuses_a_file_that_is_neither_utf8_nor_windows_1252(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("needs.csv", (HEADER + "\n").encode() + b"\x81\x8d", content_type="text/csv")
    response = cast.client_for("secretariat").post(reverse("admin:needs_need_import"), {"csv_file": upload})
    assert "neither UTF-8 nor Windows-1252 text" in response.content.decode()


def test_the_admin_preview_states_how_the_file_was_read(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = HEADER.replace(",", ";") + "\nIRG-1;CIV;46;legal_advice;fr;high;Côte;;review_report;;1\n"
    upload = SimpleUploadedFile("needs.csv", text.encode("cp1252"), content_type="text/csv")
    response = cast.client_for("secretariat").post(reverse("admin:needs_need_import"), {"csv_file": upload})
    body = response.content.decode()
    assert "Read as Windows-1252 text, columns separated by semicolons (;)." in body
    assert response.context["result"].created == 1


def test_the_admin_offers_an_empty_template_with_the_columns(cast):
    response = cast.client_for("secretariat").get(reverse("admin:needs_need_import_template"))
    assert response["Content-Disposition"] == 'attachment; filename="needs-import-template.csv"'
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body)))
    assert header == [*COLUMNS, *OPTIONAL_COLUMNS] and rows == []
    assert need_import(csv_text=body, by=None).errors == []
    page = cast.client_for("secretariat").get(reverse("admin:needs_need_import")).content.decode()
    assert reverse("admin:needs_need_import_template") in page


def test_only_the_secretariat_may_download_the_template(cast):
    response = cast.client_for("owner").get(reverse("admin:needs_need_import_template"))
    assert response.status_code in (302, 403, 404)


def test_a_need_recorded_by_someone_else_between_check_and_write_fails_the_whole_import(monkeypatch):
    import needs.imports

    check = needs.imports._plan

    def check_then_someone_records(numbered, result):
        check(numbered, result)
        NeedFactory(external_id="IRG-00001", title="Recorded meanwhile")

    monkeypatch.setattr(needs.imports, "_plan", check_then_someone_records)
    result = need_import(csv_text=_csv_text([_row(0), _row(1)]), by=None)
    assert not result.written
    assert [str(error) for error in result.errors] == [
        "row 3, row: Technical assistance need with this External identifier already exists."
    ]
    assert list(Need.objects.values_list("title", flat=True)) == ["Recorded meanwhile"]
    assert not AuditEvent.objects.filter(action="need.import").exists()


# --- the bulk insert: validated like a single insert, in a bounded number of queries ---


def test_an_imported_need_has_one_history_row_with_its_articles_languages_and_importer(cast):
    need_import(csv_text=_csv_text([_row(0, articles="46;48;52", languages="fr;en")]), by=cast.secretariat)
    need = Need.objects.get()
    [history] = need.history.all()
    assert history.history_type == "+" and history.history_user == cast.secretariat and history.version == 1
    assert sorted(history.articles.values_list("article_id", flat=True)) == [46, 48, 52]
    assert sorted(history.working_languages.values_list("language_id", flat=True)) == ["en", "fr"]
    assert sorted(need.articles.values_list("pk", flat=True)) == [46, 48, 52]
    assert need.created_by == cast.secretariat and need.created_at is not None


def test_creating_needs_by_import_makes_the_same_number_of_queries_for_10_or_120_rows(
    django_assert_max_num_queries,
):
    performed = []
    for start, count in ((0, 10), (10, 120)):
        # Lookups, existing ids, the constraints once per distinct shape (8 checks in savepoints), six inserts.
        with django_assert_max_num_queries(45) as captured:
            result = need_import(csv_text=_csv_text([_row(i) for i in range(start, start + count)]), by=None)
        assert result.written and result.created == count
        performed.append(len(captured))
    assert performed[0] == performed[1]
    assert Need.objects.count() == 130


def test_the_database_constraints_are_still_checked_for_imported_rows(monkeypatch):
    import needs.imports

    check = needs.imports._check_row

    def check_but_let_cycle_zero_through(number, row, lookups):
        values, errors = check(number, row, lookups)
        if number == 4:
            values["review_cycle"] = 0
        return values, errors

    monkeypatch.setattr(needs.imports, "_check_row", check_but_let_cycle_zero_through)
    result = need_import(csv_text=_csv_text([_row(i) for i in range(5)]), by=None)
    assert [(error.row, error.column) for error in result.errors] == [(4, "row")]
    assert "need_review_cycle_positive" in result.errors[0].message
    assert not result.written and not Need.objects.exists()


def test_the_constraint_shape_covers_every_field_the_constraints_read():
    from django.db.models import CheckConstraint, F, Q

    from needs.imports import CONSTRAINT_FIELDS

    def fields(node) -> set[str]:
        if isinstance(node, Q):
            return set().union(*(fields(child) for child in node.children))
        if isinstance(node, tuple):
            lookup, value = node
            return {lookup.split("__")[0]} | ({value.name} if isinstance(value, F) else set())
        return set()

    read = set().union(*(fields(c.condition) for c in Need._meta.constraints if isinstance(c, CheckConstraint)))
    # The title's constraint (not empty) is its blank=False, validated row by row.
    assert read - {"title"} <= set(CONSTRAINT_FIELDS)


def test_an_import_does_not_rewrite_a_closed_need_but_may_repeat_it_unchanged(tmp_path):
    need_import(csv_text=_csv_text([_row(0), _row(1)]), by=None)
    Need.objects.filter(external_id="IRG-00000").update(status="addressed")
    Need.objects.filter(external_id="IRG-00001").update(status="cancelled")
    again = need_import(csv_text=_csv_text([_row(0), _row(1)]), by=None)
    assert again.ok and again.unchanged == 2
    changed = need_import(csv_text=_csv_text([_row(0, priority="low"), _row(1, articles="52")]), by=None)
    assert [str(error) for error in changed.errors] == [
        "row 2, external_id: 'IRG-00000' is a need that is addressed; a closed need is not changed "
        "(differs in priority)",
        "row 3, external_id: 'IRG-00001' is a need that is cancelled; a closed need is not changed "
        "(differs in articles)",
    ]
    assert not changed.written
    assert Need.objects.get(external_id="IRG-00000").priority == "high"
    assert Need.objects.filter(version=1).count() == 2


def test_the_import_audit_row_says_what_changed_in_each_updated_need():
    need_import(csv_text=_csv_text([_row(0), _row(1)]), by=None)
    need_import(csv_text=_csv_text([_row(0), _row(1, priority="low", languages="es")]), by=None)
    details = AuditEvent.objects.filter(action="need.import").latest("id").details
    assert details["updated"] == ["IRG-00001"]
    assert details["changes"] == {
        "IRG-00001": {"priority": ["high", "low"], "working_languages": [["en", "fr"], ["es"]]}
    }


# Digits other than ASCII ones (int() reads some of them and fails on others) and NUL bytes (which
# PostgreSQL cannot store) are the file's errors, named by row and column, never a traceback.
@pytest.mark.parametrize(
    "column, value, message",
    [
        ("articles", "46;²", "row 2, articles: '²' is not an UNCAC article number (1 to 71)"),
        ("articles", "٤٦", "row 2, articles: '٤٦' is not an UNCAC article number (1 to 71)"),
        ("articles", "４６", "row 2, articles: '４６' is not an UNCAC article number (1 to 71)"),
        ("articles", "9" * 5000, f"row 2, articles: '{'9' * 5000}' is not an UNCAC article number (1 to 71)"),
        ("review_cycle", "²", "row 2, review_cycle: '²' is not a review cycle number (1, 2, …)"),
        ("review_cycle", "١", "row 2, review_cycle: '١' is not a review cycle number (1, 2, …)"),
        ("review_cycle", "１", "row 2, review_cycle: '１' is not a review cycle number (1, 2, …)"),
        ("title", "Mutual\x00legal", "row 2, title: contains a NUL character; remove it"),
        ("description", "\x00", "row 2, description: contains a NUL character; remove it"),
        ("external_id", "IRG-1\x00", "row 2, external_id: contains a NUL character; remove it"),
    ],
)
def test_unicode_digits_and_nul_bytes_are_errors_not_tracebacks(tmp_path, capsys, column, value, message):
    path = tmp_path / "odd.csv"
    path.write_bytes(_csv_text([_row(1, **{column: value})]).encode())
    with pytest.raises(CommandError) as failure:
        call_command("import_needs", str(path))
    assert failure.value.returncode == 1
    assert capsys.readouterr().err.splitlines() == [message]
    assert not Need.objects.exists()


def test_the_admin_preview_names_a_unicode_digit_instead_of_failing(cast):
    preview = _upload(cast.client_for("secretariat"), [_row(0, articles="²", review_cycle="\x00")])
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "row 2, articles: &#x27;²&#x27; is not an UNCAC article number (1 to 71)" in body
    assert "row 2, review_cycle: contains a NUL character; remove it" in body
    assert preview.context["token"] == "" and not Need.objects.exists()


# --- one field list, one rule, public services (issue 7, item 11) ---


def test_the_form_the_import_and_the_export_carry_the_needs_one_field_list(cast):
    from needs.forms import NeedForm
    from needs.imports import COLUMN_OF_FIELD, FILE_COLUMNS, OPTIONAL_COLUMNS
    from needs.services import NEED_FIELDS
    from needs.views import EXPORT_COLUMNS

    assert NeedForm._meta.fields == [name for name in NEED_FIELDS if name != "external_id"]
    page_order = [name for name in NeedForm(user=cast.secretariat).fields if name != "version"]
    assert page_order[:3] == ["requesting_state", "title", "articles"], "the page asks for the title first"
    assert sorted(page_order) == sorted(NeedForm._meta.fields)
    assert list(FILE_COLUMNS) == [COLUMN_OF_FIELD.get(name, name) for name in NEED_FIELDS]
    assert set(COLUMNS) | set(OPTIONAL_COLUMNS) == set(FILE_COLUMNS)
    assert set(FILE_COLUMNS) <= set(EXPORT_COLUMNS)


def test_an_exported_file_imports_back_unchanged_with_its_optional_columns(cast):
    from needs.imports import FILE_COLUMNS

    NeedFactory(
        external_id="IRG-00007", remote=False, desired_from="2026-03-01", desired_until="2026-09-30", articles=[46, 48]
    )
    response = cast.client_for("secretariat").get(reverse("needs:need_export"))
    # The file starts with a byte-order mark and has a name column after each code (issue 12, item 7): the
    # import reads the codes.
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    kept = [name for name in rows[0] if name in FILE_COLUMNS]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=kept, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    result = need_import(csv_text=out.getvalue(), by=cast.secretariat)
    assert [str(error) for error in result.errors] == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_optional_columns_set_a_new_need_and_leave_a_stored_one_alone_when_left_out():
    inverted = need_import(rows=[_row(1, desired_from="2026-03-01", desired_until="2026-02-01")], by=None)
    assert [str(error) for error in inverted.errors] == [
        "row 2, row: The end of the desired period cannot come before its start."
    ]
    assert need_import(rows=[_row(1, remote="no", desired_from="2026-03-01")], by=None).ok
    need = Need.objects.get()
    assert (need.remote, need.on_site, str(need.desired_from)) == (False, True, "2026-03-01")
    assert need_import(rows=[_row(1, title="Retitled")], by=None).updated == 1
    need.refresh_from_db()
    assert (need.title, need.remote, str(need.desired_from)) == ("Retitled", False, "2026-03-01")
    bad = need_import(rows=[_row(1, on_site="maybe", desired_until="31/12/2026")], by=None)
    assert [str(error) for error in bad.errors] == [
        "row 2, on_site: 'maybe' is not one of true, false, 1, 0, yes, no",
        "row 2, desired_until: '31/12/2026' is not a date as YYYY-MM-DD",
    ]


def test_the_rule_on_articles_and_languages_is_the_services_and_reads_the_same_everywhere(cast):
    from django.core.exceptions import ValidationError

    from needs.forms import NeedForm
    from needs.services import need_relations_check
    from tests.factories import NEED_FORM

    with pytest.raises(ValidationError) as refused:
        need_relations_check(articles=[], working_languages=[])
    rule = refused.value.message_dict
    form = NeedForm({**NEED_FORM, "articles": [], "working_languages": []}, user=cast.owner)
    assert not form.is_valid()
    assert {name: form.errors[name] for name in rule} == rule
    imported = need_import(rows=[_row(1, articles="", languages="")], by=None)
    assert [(error.column, error.message) for error in imported.errors] == [
        ("articles", rule["articles"][0]),
        ("languages", rule["working_languages"][0]),
    ]
