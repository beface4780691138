"""What the ranking needs from the registers: a need's minimum language level and an expert's declared conflicts,
from the forms and from the imports (files without the new columns import as before)."""

import csv
import io

import pytest
from django.urls import reverse

from needs.imports import COLUMNS as NEED_COLUMNS
from needs.imports import need_import
from needs.models import Need
from reference.models import LanguageLevel
from roster.imports import COLUMNS as EXPERT_COLUMNS
from roster.imports import expert_import
from roster.models import Expert
from tests.factories import NEED_FORM, nomination_form_data

pytestmark = pytest.mark.django_db


def need_row(i: int, **overrides: str) -> dict[str, str]:
    row = {
        "external_id": f"IRG-{i:05d}",
        "country": "KEN",
        "articles": "46;48",
        "assistance_type": "legal_advice",
        "languages": "fr;en",
        "priority": "high",
        "title": f"Mutual legal assistance procedures {i}",
        "description": "",
        "source": "review_report",
        "source_reference": "",
        "review_cycle": "1",
    }
    return row | overrides


def expert_row(i: int, **overrides: str) -> dict[str, str]:
    row = dict.fromkeys(EXPERT_COLUMNS, "") | {
        "external_id": f"KEN-{i:05d}",
        "given_name": f"Given{i}",
        "family_name": f"Family{i}",
        "gender": "female",
        "nationality": "KEN",
        "nominating_state": "KEN",
        "email": f"expert{i}@import.example.org",
        "sector": "anti_corruption_body",
        "years_experience": "10",
        "languages": "en:C2",
        "articles": "46:3",
        "consent_date": "2026-02-01",
    }
    return row | overrides


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# --- the need's minimum language level -------------------------------------------------------------


def test_the_need_form_records_the_minimum_language_level(cast):
    client = cast.client_for("owner")
    client.post(reverse("needs:need_create"), {**NEED_FORM, "min_language_level": str(LanguageLevel.C1)})
    assert Need.objects.get().min_language_level == LanguageLevel.C1
    assert "Minimum language level" in client.get(reverse("needs:need_detail", args=[Need.objects.get().pk])).text


def test_a_need_recorded_without_a_level_asks_for_b2_and_an_edit_without_it_keeps_the_stored_one(cast):
    client = cast.client_for("owner")
    client.post(reverse("needs:need_create"), NEED_FORM)
    need = Need.objects.get()
    assert need.min_language_level == LanguageLevel.B2
    Need.objects.filter(pk=need.pk).update(min_language_level=LanguageLevel.C2)
    client.post(reverse("needs:need_edit", args=[need.pk]), {**NEED_FORM, "version": "1", "title": "Changed"})
    need.refresh_from_db()
    assert need.title == "Changed" and need.min_language_level == LanguageLevel.C2


def test_import_needs_reads_the_optional_min_language_level_column():
    columns = (*NEED_COLUMNS, "min_language_level")
    result = need_import(by=None, csv_text=_csv([need_row(1, min_language_level="C1"), need_row(2)], columns))
    assert result.ok, result.errors
    levels = dict(Need.objects.values_list("external_id", "min_language_level"))
    assert levels == {"IRG-00001": LanguageLevel.C1, "IRG-00002": LanguageLevel.B2}


def test_a_needs_file_without_the_level_column_imports_as_before_and_keeps_stored_levels():
    need_import(by=None, csv_text=_csv([need_row(1, min_language_level="C1")], (*NEED_COLUMNS, "min_language_level")))
    result = need_import(by=None, csv_text=_csv([need_row(1), need_row(2)], NEED_COLUMNS))
    assert result.ok and result.unchanged == 1 and result.created == 1
    assert Need.objects.get(external_id="IRG-00001").min_language_level == LanguageLevel.C1


def test_an_unknown_level_in_a_needs_file_is_named_by_row_and_column():
    result = need_import(
        by=None, csv_text=_csv([need_row(1, min_language_level="Z9")], (*NEED_COLUMNS, "min_language_level"))
    )
    assert [(issue.row, issue.column) for issue in result.errors] == [(2, "min_language_level")]
    assert not Need.objects.exists()


# --- the expert's declared conflicts ---------------------------------------------------------------


def test_the_cv_template_records_declared_conflicts(cast):
    client = cast.client_for("owner")
    client.post(
        reverse("roster:expert_nominate"), nomination_form_data(**{"profile-declared_conflict_states": ["UGA", "FRA"]})
    )
    expert = Expert.objects.get()
    assert set(expert.declared_conflict_states.values_list("pk", flat=True)) == {"UGA", "FRA"}
    body = client.get(reverse("roster:expert_edit", args=[expert.pk])).text
    assert 'name="profile-declared_conflict_states"' in body
    client.post(
        reverse("roster:expert_edit", args=[expert.pk]),
        nomination_form_data(
            **{"profile-version": str(expert.version), "action": "save", "profile-declared_conflict_states": []}
        ),
    )
    assert not expert.declared_conflict_states.exists()


def test_import_experts_reads_the_optional_conflict_states_column():
    columns = (*EXPERT_COLUMNS, "conflict_states")
    result = expert_import(by=None, file=_csv([expert_row(1, conflict_states="uga; TZA")], columns))
    assert result.ok, result.errors
    expert = Expert.objects.get()
    assert set(expert.declared_conflict_states.values_list("pk", flat=True)) == {"UGA", "TZA"}
    assert {"UGA", "TZA"} == {link.country_id for link in expert.history.latest().declared_conflict_states.all()}, (
        "the history row holds the declared conflicts"
    )


def test_an_experts_file_without_the_column_imports_as_before_and_keeps_declared_conflicts():
    expert_import(by=None, file=_csv([expert_row(1, conflict_states="UGA")], (*EXPERT_COLUMNS, "conflict_states")))
    result = expert_import(by=None, file=_csv([expert_row(1, years_experience="11")], EXPERT_COLUMNS))
    assert result.ok and result.updated == 1
    assert list(Expert.objects.get().declared_conflict_states.values_list("pk", flat=True)) == ["UGA"]


def test_an_empty_conflict_states_cell_clears_them_and_a_bad_code_is_named():
    columns = (*EXPERT_COLUMNS, "conflict_states")
    expert_import(by=None, file=_csv([expert_row(1, conflict_states="UGA")], columns))
    assert expert_import(by=None, file=_csv([expert_row(1, conflict_states="")], columns)).updated == 1
    assert not Expert.objects.get().declared_conflict_states.exists()
    result = expert_import(by=None, file=_csv([expert_row(1, conflict_states="XXX")], columns))
    assert [(issue.row, issue.column) for issue in result.errors] == [(2, "conflict_states")]
