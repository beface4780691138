"""import_experts: all or nothing, errors named by row and column, re-import updates, duplicates flagged."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.models import AuditEvent
from roster.imports import COLUMNS, expert_import
from roster.models import Expert
from tests.factories import ExpertFactory, expert_import_row


def csv_text(rows: list[dict[str, str]], columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def csv_file(tmp_path):
    def write(rows: list[dict[str, str]], name: str = "experts.csv", **kwargs) -> Path:
        path = tmp_path / name
        path.write_text(csv_text(rows, **kwargs), encoding="utf-8")
        return path

    return write


def run_command(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_experts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_command(path: Path, *args: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_experts", str(path), *args, stdout=io.StringIO(), stderr=err)
    assert failure.value.returncode == 1
    assert "nothing was written" in str(failure.value)
    return err.getvalue()


def test_a_good_file_creates_every_expert_with_its_parts(db, csv_file):
    out, _err = run_command(csv_file([expert_import_row(1), expert_import_row(2, consent_date="")]))
    assert "Created 2, updated 0, unchanged 0 expert(s)" in out
    first = Expert.objects.get(external_id="KEN-00001")
    assert (first.given_name, first.family_name, first.name_key) == ("Given1", "Family1", "given1 family1")
    assert (first.nominating_state_id, first.nationality_id, first.sector) == ("KEN", "KEN", "anti_corruption_body")
    assert (first.remote, first.on_site, first.days_per_year, first.years_experience) == (True, False, 40, 10)
    assert dict(first.languages.values_list("language_id", "level")) == {"en": 6, "fr": 4, "sw": 7}
    assert dict(first.expertise.values_list("article_id", "level")) == {46: 3, 48: 2}
    assert set(first.assistance_types.values_list("code", flat=True)) == {"legal_advice", "capacity_building"}
    # with a consent date: consent on file and active; without: a draft
    assert first.status == Expert.Status.ACTIVE and first.consent_text_version == "external"
    assert first.consent_given_at.date().isoformat() == "2026-02-01" == first.last_confirmed_at.date().isoformat()
    second = Expert.objects.get(external_id="KEN-00002")
    assert second.status == Expert.Status.DRAFT and second.consent_given_at is None
    assert first.history.count() == 1
    event = AuditEvent.objects.get(action="expert.import")
    assert (event.details["created"], event.details["updated"]) == (2, 0)


def test_one_bad_row_among_a_thousand_writes_nothing_and_names_the_row(db, csv_file):
    rows = [expert_import_row(i) for i in range(1, 1001)]
    rows.insert(499, expert_import_row(5000, nationality="XXX"))  # the 500th data row: row 501 in a spreadsheet
    err = failing_command(csv_file(rows))
    assert err.strip().splitlines() == ["row 501, nationality: 'XXX' is not an ISO 3166 alpha-3 country code"]
    assert Expert.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_every_error_of_every_row_is_reported(db, csv_file):
    rows = [expert_import_row(1, gender="?", email="nope"), expert_import_row(2), expert_import_row(3, articles="99:3")]
    err = failing_command(csv_file(rows))
    assert err.strip().splitlines() == [
        "row 2, gender: '?' is not one of: female, male, other, undisclosed",
        "row 2, email: 'nope' is not an e-mail address",
        "row 4, articles: '99' is not an UNCAC article (1 to 71)",
    ]


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("external_id", "", "row 2, external_id: required"),
        ("external_id", "x" * 65, "row 2, external_id: at most 64 characters"),
        ("given_name", "", "row 2, given_name: required"),
        ("family_name", "", "row 2, family_name: required"),
        ("gender", "f", "row 2, gender: 'f' is not one of: female, male, other, undisclosed"),
        ("nationality", "KE", "row 2, nationality: 'KE' is not an ISO 3166 alpha-3 country code"),
        ("nominating_state", "", "row 2, nominating_state: required"),
        ("email", "", "row 2, email: required"),
        ("email", "a@b", "row 2, email: 'a@b' is not an e-mail address"),
        ("phone", "1" * 41, "row 2, phone: at most 40 characters"),
        ("current_position", "p" * 201, "row 2, current_position: at most 200 characters"),
        ("employer", "e" * 201, "row 2, employer: at most 200 characters"),
        ("sector", "police", "row 2, sector: 'police' is not one of: government, judiciary"),
        ("years_experience", "ten", "row 2, years_experience: 'ten' is not a whole number"),
        ("years_experience", "71", "row 2, years_experience: must be between 0 and 70"),
        ("languages", "xx:C2", "row 2, languages: 'xx' is not a known ISO 639-1 language code"),
        ("languages", "en:C3", "row 2, languages: 'C3' is not a level for en (use A1, A2, B1, B2, C1, C2 or N)"),
        ("languages", "en", "row 2, languages: 'en' has no level; write code:level"),
        (
            "languages",
            "en:C2;en:B1",
            "row 2, languages: Each language may be listed only once; listed more than once: en.",
        ),
        ("articles", "46:4", "row 2, articles: '4' is not a level for article 46 (use 1, 2 or 3)"),
        ("articles", "72:1", "row 2, articles: '72' is not an UNCAC article (1 to 71)"),
        (
            "articles",
            "46:1;46:2",
            "row 2, articles: Each UNCAC article may be listed only once; listed more than once: 46.",
        ),
        ("assistance_types", "bribes", "row 2, assistance_types: 'bribes' is not one of: action_plan"),
        ("available_from", "01/02/2026", "row 2, available_from: '01/02/2026' is not a date as YYYY-MM-DD"),
        ("available_until", "2025-12-31", "row 2, available_until: is before available_from"),
        ("days_per_year", "367", "row 2, days_per_year: must be between 0 and 366"),
        ("remote", "maybe", "row 2, remote: 'maybe' is not one of true, false, 1, 0, yes, no"),
        ("on_site", "Y", "row 2, on_site: 'Y' is not one of true, false, 1, 0, yes, no"),
        ("consent_date", "2026-13-01", "row 2, consent_date: '2026-13-01' is not a date as YYYY-MM-DD"),
        ("consent_date", "2999-01-01", "row 2, consent_date: is in the future"),
    ],
)
def test_each_columns_bad_value_gives_its_message(db, csv_file, column, value, message):
    err = failing_command(csv_file([expert_import_row(1, **{column: value})]))
    assert err.strip().startswith(message), err
    assert len(err.strip().splitlines()) == 1
    assert Expert.objects.count() == 0


def test_the_header_must_hold_exactly_the_columns(db, tmp_path):
    columns = [name for name in COLUMNS if name != "phone"] + ["salary"]
    path = tmp_path / "bad-header.csv"
    path.write_text(csv_text([dict.fromkeys(columns, "")], columns=columns))
    err = failing_command(path)
    assert err.strip().splitlines() == ["row 1, phone: missing column", "row 1, salary: unknown column"]


def test_a_windows_1252_file_as_excel_saves_it_is_read(db, tmp_path):
    # Refused before issue 12, item 7; French and Spanish Excel saves CSV in Windows-1252.
    path = tmp_path / "excel-fr.csv"
    path.write_bytes(csv_text([expert_import_row(1, given_name="Zoé")]).encode("cp1252"))
    run_command(path)
    assert Expert.objects.get().given_name == "Zoé"


def test_a_file_that_is_neither_utf8_nor_windows_1252_is_refused(db, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(csv_text([expert_import_row(1, given_name="Zo\x81\x8d")]).encode("latin-1"))
    assert "row 1, file: the file is neither UTF-8 nor Windows-1252 text" in failing_command(path)


def test_a_utf8_file_with_a_byte_order_mark_from_a_spreadsheet_is_read(db, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text([expert_import_row(1, given_name="Zoé")]).encode())
    run_command(path)
    assert Expert.objects.get().given_name == "Zoé"


def test_row_numbers_count_blank_rows_and_short_rows_are_named(db, tmp_path):
    lines = csv_text([expert_import_row(1)]).splitlines()
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join([*lines, "", "KEN-9,only,three"]) + "\n")
    assert failing_command(path).strip() == "row 4, columns: 3 fields, expected 21"


def test_importing_the_same_file_twice_creates_no_duplicate(db, csv_file):
    path = csv_file([expert_import_row(i) for i in range(1, 4)])
    run_command(path)
    out, _err = run_command(path)
    assert "Created 0, updated 0, unchanged 3 expert(s)" in out
    assert Expert.objects.count() == 3
    assert all(expert.version == 1 for expert in Expert.objects.all())


def test_reimport_updates_by_external_id(db, csv_file):
    run_command(csv_file([expert_import_row(1), expert_import_row(2)]))
    out, _err = run_command(
        csv_file(
            [
                expert_import_row(1, employer="Office of the Auditor-General", languages="en:C1", articles="15:1"),
                expert_import_row(2),
            ]
        )
    )
    assert "Created 0, updated 1, unchanged 1 expert(s)" in out
    expert = Expert.objects.get(external_id="KEN-00001")
    assert expert.employer == "Office of the Auditor-General" and expert.version == 2
    assert dict(expert.languages.values_list("language_id", "level")) == {"en": 5}
    assert dict(expert.expertise.values_list("article_id", "level")) == {15: 1}
    assert expert.history.count() == 2
    assert Expert.objects.count() == 2


def test_reimport_never_overwrites_the_experts_own_consent(db, csv_file):
    run_command(csv_file([expert_import_row(1, consent_date="")]))
    expert = Expert.objects.get()
    expert.consent_given_at = timezone.now()
    expert.consent_text_version = "2026-1"
    expert.save()
    run_command(csv_file([expert_import_row(1, consent_date="2026-01-05")]))
    expert.refresh_from_db()
    assert expert.consent_text_version == "2026-1"


def test_a_draft_becomes_active_when_a_later_file_brings_consent(db, csv_file):
    run_command(csv_file([expert_import_row(1, consent_date="")]))
    run_command(csv_file([expert_import_row(1)]))
    assert Expert.objects.get().status == Expert.Status.ACTIVE


def test_dry_run_writes_nothing(db, csv_file):
    out, _err = run_command(csv_file([expert_import_row(1), expert_import_row(2)]), "--dry-run")
    assert "Would create 2, update 0, unchanged 0 expert(s)" in out and "Dry run: nothing was written." in out
    assert Expert.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_duplicates_are_flagged_with_the_existing_id_and_nothing_merges(db, csv_file):
    same_name = ExpertFactory(given_name="Given1", family_name="FAMILY1", nationality_id="KEN", email="x@example.org")
    same_email = ExpertFactory(email="EXPERT2@import.example.org")
    out, _err = run_command(
        csv_file([expert_import_row(1), expert_import_row(2), expert_import_row(3, email="expert1@import.example.org")])
    )
    assert f"row 2, KEN-00001: possible duplicate of expert #{same_name.pk} (same name and nationality)" in out
    assert f"row 3, KEN-00002: possible duplicate of expert #{same_email.pk} (same e-mail address)" in out
    assert "row 4, KEN-00003: possible duplicate of row 2 of this file (same e-mail address)" in out
    assert Expert.objects.count() == 5
    event = AuditEvent.objects.get(action="expert.import")
    assert sorted(event.details["possible_duplicates"]) == [["KEN-00001", same_name.pk], ["KEN-00002", same_email.pk]]


def test_a_record_is_not_its_own_duplicate_on_reimport(db, csv_file):
    path = csv_file([expert_import_row(1)])
    run_command(path)
    out, _err = run_command(path)
    assert "possible duplicate of" not in out and "0 possible duplicate(s) flagged" in out


def test_a_same_external_id_twice_in_a_file_is_an_error(db, csv_file):
    err = failing_command(csv_file([expert_import_row(1), expert_import_row(1, email="other@example.org")]))
    assert "row 3, external_id: 'KEN-00001' is also on row 2" in err


def test_an_erased_expert_cannot_be_brought_back_by_import(db, csv_file):
    from roster.personal_data import expert_erase

    run_command(csv_file([expert_import_row(1)]))
    expert_erase(expert=Expert.objects.get(), by=None)
    err = failing_command(csv_file([expert_import_row(1)]))
    assert "row 2, external_id: this expert asked for their personal data to be erased" in err


def test_a_focal_point_imports_only_its_own_state_and_awaits_validation(cast, csv_file):
    err = failing_command(
        csv_file([expert_import_row(1), expert_import_row(2, nominating_state="FRA")]), "--by", cast.owner.email
    )
    assert err.strip() == "row 3, nominating_state: you may import only experts of KEN"
    run_command(csv_file([expert_import_row(1)]), "--by", cast.owner.email)
    expert = Expert.objects.get()
    assert expert.status == Expert.Status.SUBMITTED and expert.created_by == cast.owner
    assert AuditEvent.objects.get(action="expert.import").actor == cast.owner


def test_a_focal_point_cannot_touch_another_states_record_by_external_id(cast, csv_file):
    ExpertFactory(external_id="KEN-00001", nominating_state_id="FRA")
    err = failing_command(csv_file([expert_import_row(1)]), "--by", cast.owner.email)
    assert err.strip() == "row 2, external_id: this identifier cannot be used; choose another"


def test_a_focal_point_is_not_told_that_another_states_record_was_erased(cast, csv_file):
    from roster.personal_data import expert_erase

    expert_erase(expert=ExpertFactory(external_id="KEN-00001", nominating_state_id="FRA"), by=None)
    err = failing_command(csv_file([expert_import_row(1)]), "--by", cast.owner.email)
    assert err.strip() == "row 2, external_id: this identifier cannot be used; choose another"


def test_a_focal_point_is_not_told_of_another_states_duplicates(cast, csv_file):
    other = ExpertFactory(nominating_state_id="FRA", email="expert1@import.example.org")
    out, _err = run_command(csv_file([expert_import_row(1)]), "--by", cast.owner.email)
    assert "possible duplicate of" not in out and "0 possible duplicate(s) flagged" in out
    assert AuditEvent.objects.get(action="expert.import").details["possible_duplicates"] == [["KEN-00001", other.pk]]


def test_an_active_expert_changed_by_a_focal_points_import_awaits_revalidation(cast, csv_file):
    run_command(csv_file([expert_import_row(1)]))
    run_command(csv_file([expert_import_row(1, employer="Judiciary")]), "--by", cast.owner.email)
    expert = Expert.objects.get()
    assert expert.status == Expert.Status.ACTIVE and expert.revalidation_pending


def test_unknown_importer_is_refused(db, csv_file):
    with pytest.raises(CommandError, match="No active secretariat member or focal point"):
        call_command("import_experts", str(csv_file([expert_import_row(1)])), "--by", "nobody@example.org")


def test_service_takes_rows_as_well_as_files(cast):
    result = expert_import(rows=[expert_import_row(1)], by=cast.secretariat)
    assert result.ok and result.created == 1 and result.written
    bad = expert_import(rows=[expert_import_row(2, sector="")], by=cast.secretariat)
    assert [str(issue) for issue in bad.errors] == ["row 2, sector: required"]
    assert Expert.objects.count() == 1


@pytest.mark.parametrize("dry_run", [True, False])
def test_import_queries_do_not_grow_with_the_number_of_new_rows(cast, django_assert_max_num_queries, dry_run):
    expert_import(rows=[expert_import_row(i) for i in range(3)], by=cast.secretariat, dry_run=dry_run)
    with django_assert_max_num_queries(30):
        result = expert_import(
            rows=[expert_import_row(i) for i in range(100, 400)], by=cast.secretariat, dry_run=dry_run
        )
    assert result.created == 300


# Digits other than ASCII ones (int() reads some of them and fails on others) and NUL bytes (which
# PostgreSQL cannot store) are the file's errors, named by row and column, never a traceback.
@pytest.mark.parametrize(
    "column, value, message",
    [
        ("articles", "²:1", "row 2, articles: '²' is not an UNCAC article (1 to 71)"),
        ("articles", "٤٦:1", "row 2, articles: '٤٦' is not an UNCAC article (1 to 71)"),
        ("articles", "４６:1", "row 2, articles: '４６' is not an UNCAC article (1 to 71)"),
        ("articles", "46:²", "row 2, articles: '²' is not a level for article 46 (use 1, 2 or 3)"),
        ("years_experience", "١٠", "row 2, years_experience: '١٠' is not a whole number"),
        ("years_experience", "１０", "row 2, years_experience: '１０' is not a whole number"),
        ("days_per_year", "²", "row 2, days_per_year: '²' is not a whole number"),
        ("days_per_year", "9" * 5000, "row 2, days_per_year: must be between 0 and 366"),
        ("available_from", "２０２６-01-01", "row 2, available_from: '２０２６-01-01' is not a date as YYYY-MM-DD"),
        ("given_name", "Ann\x00e", "row 2, given_name: contains a NUL character; remove it"),
        ("employer", "\x00", "row 2, employer: contains a NUL character; remove it"),
        ("languages", "en:C2\x00", "row 2, languages: contains a NUL character; remove it"),
    ],
)
def test_unicode_digits_and_nul_bytes_are_errors_not_tracebacks(db, tmp_path, column, value, message):
    path = tmp_path / "odd.csv"
    path.write_bytes(csv_text([expert_import_row(1, **{column: value})]).encode())
    err = failing_command(path)
    assert err.strip().splitlines() == [message]
    assert Expert.objects.count() == 0


def test_another_states_identifier_answers_like_an_unusable_identifier(cast, csv_file):
    """A focal point cannot tell from the answer that another State holds a record under that id."""
    ExpertFactory(external_id="KEN-00001", nominating_state_id="FRA")
    taken = failing_command(csv_file([expert_import_row(1)]), "--by", cast.owner.email)
    unusable = failing_command(
        csv_file([expert_import_row(2, external_id="KEN-\u200b00002")]), "--by", cast.owner.email
    )
    assert taken.strip() == unusable.strip() == "row 2, external_id: this identifier cannot be used; choose another"
    assert "your State" not in taken


def _roster_now() -> list[tuple]:
    return sorted(
        Expert.objects.values_list(
            "external_id", "employer", "status", "version", "languages__language_id", "expertise__article_id"
        ),
        key=str,
    )


def test_a_file_written_chunk_by_chunk_leaves_the_roster_of_one_chunk(cast, monkeypatch):
    first = [expert_import_row(i) for i in range(8)]
    changed = [expert_import_row(i, employer="Office of the Prosecutor") for i in range(0, 8, 2)] + [
        expert_import_row(i) for i in range(1, 8, 2)
    ]
    expert_import(rows=first, by=cast.secretariat)
    whole = expert_import(rows=changed + [expert_import_row(20)], by=cast.secretariat)
    expected = _roster_now()
    Expert.objects.all().delete()
    monkeypatch.setattr("roster.imports.IMPORT_CHUNK", 3)
    expert_import(rows=first, by=cast.secretariat)
    chunked = expert_import(rows=changed + [expert_import_row(20)], by=cast.secretariat)
    assert (chunked.created, chunked.updated, chunked.unchanged) == (whole.created, whole.updated, whole.unchanged)
    assert (chunked.created, chunked.updated, chunked.unchanged) == (1, 4, 4)
    assert _roster_now() == expected


def test_a_refused_row_in_a_later_chunk_leaves_the_earlier_chunks_unwritten(cast, monkeypatch):
    monkeypatch.setattr("roster.imports.IMPORT_CHUNK", 2)
    ExpertFactory(external_id="KEN-00005", erased_at=timezone.now())
    result = expert_import(rows=[expert_import_row(i) for i in range(1, 7)], by=cast.secretariat)
    assert [issue.row for issue in result.errors] == [6]
    assert list(Expert.objects.values_list("external_id", flat=True)) == ["KEN-00005"]


def test_duplicates_read_chunk_by_chunk_are_those_of_the_whole_file(cast, monkeypatch):
    same_name = ExpertFactory(given_name="Given5", family_name="FAMILY5", nationality_id="KEN", email="x@example.org")
    same_email = ExpertFactory(email="EXPERT1@import.example.org")
    rows = [expert_import_row(i) for i in range(1, 7)] + [expert_import_row(7, email="expert2@import.example.org")]
    whole = expert_import(rows=rows, by=cast.secretariat, dry_run=True).duplicates
    monkeypatch.setattr("roster.imports.IMPORT_CHUNK", 2)
    chunked = expert_import(rows=rows, by=cast.secretariat, dry_run=True).duplicates
    assert chunked == whole
    # A stored record in the first and in the third chunk, and a row of the first chunk repeated in the fourth.
    assert [(flag.row, flag.existing_id, flag.other_row) for flag in chunked] == [
        (2, same_email.pk, None),
        (6, same_name.pk, None),
        (8, None, 3),
    ]
