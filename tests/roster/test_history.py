"""Every change of an expert's parts is kept, with who made it; an unchanged save keeps nothing; erasure scrubs it."""

import json
from dataclasses import replace

import pytest
from django.apps import apps
from django.urls import reverse

from roster import services
from roster.demo import demo_experts_seed
from roster.imports import expert_import
from roster.models import EXPERT_HISTORY, Education, Employment, Expert, ExpertArticle, ExpertLanguage
from roster.personal_data import expert_data_export, expert_erase
from roster.services import ArticleExpertise, ExpertProfile, LanguageSkill
from tests.factories import country, expert_import_row

pytestmark = pytest.mark.django_db
PARTS = (ExpertLanguage, ExpertArticle, Employment, Education)
JOB = {
    "employer": "Ethics and Anti-Corruption Commission",
    "position": "Senior investigator",
    "start_year": 2012,
    "end_year": None,
    "description": "Asset tracing.",
}
DEGREE = {"institution": "Strathmore University", "degree": "LL.M.", "field_of_study": "Financial crime", "year": 2009}


def _profile(**changes) -> ExpertProfile:
    profile = ExpertProfile(
        fields={
            "given_name": "Achieng",
            "family_name": "Otieno",
            "gender": "female",
            "nationality": country("KEN"),
            "email": "achieng.otieno@example.org",
            "phone": "",
            "current_position": "Investigator",
            "employer": "EACC",
            "sector": "anti_corruption_body",
            "years_experience": 14,
            "summary": "",
            "available_from": None,
            "available_until": None,
            "days_per_year": 20,
            "remote": True,
            "on_site": True,
        },
        languages=[LanguageSkill("en", 6), LanguageSkill("sw", 7)],
        expertise=[ArticleExpertise(46, 3), ArticleExpertise(48, 2)],
        employment=[JOB, {**JOB, "position": "Investigator", "start_year": 2005, "end_year": 2011}],
        education=[DEGREE],
        assistance_type_ids=["legal_advice"],
        countries_worked_in_ids=["UGA"],
    )
    return replace(profile, **changes)


def _history_count() -> int:
    return sum(model.history.count() for model in PARTS)


@pytest.fixture
def nominated(cast) -> Expert:
    return services.expert_nominate(by=cast.owner, profile=_profile())


def _update(expert: Expert, by, **changes) -> Expert:
    expert.refresh_from_db()
    return services.expert_update(expert=expert, by=by, version=expert.version, profile=_profile(**changes))


def test_a_nomination_keeps_each_part_as_added_by_the_nominating_focal_point(cast, nominated):
    for model, count in ((ExpertLanguage, 2), (ExpertArticle, 2), (Employment, 2), (Education, 1)):
        rows = model.history.filter(expert_id=nominated.pk)
        assert rows.count() == count, model
        assert {(row.history_type, row.history_user_id) for row in rows} == {("+", cast.owner.pk)}
    # One history row for the nomination, with the sets it was saved with.
    (row,) = nominated.history.all()
    assert list(row.assistance_types.values_list("assistancetype_id", flat=True)) == ["legal_advice"]
    assert list(row.countries_worked_in.values_list("country_id", flat=True)) == ["UGA"]


def test_a_changed_language_level_is_kept_with_who_changed_it(cast, nominated):
    _update(nominated, cast.colleague_same_state, languages=[LanguageSkill("en", 4), LanguageSkill("sw", 7)])
    changed = ExpertLanguage.history.filter(expert_id=nominated.pk, history_type="~")
    assert [(row.language_id, row.level, row.history_user_id) for row in changed] == [
        ("en", 4, cast.colleague_same_state.pk)
    ]
    past = ExpertLanguage.history.filter(expert_id=nominated.pk, language_id="en").order_by("history_id")
    assert [row.level for row in past] == [6, 4]


def test_an_added_and_a_removed_article_are_kept_with_who_did_it(cast, nominated):
    _update(nominated, cast.secretariat, expertise=[ArticleExpertise(46, 3), ArticleExpertise(15, 1)])
    latest = ExpertArticle.history.filter(expert_id=nominated.pk, history_user=cast.secretariat)
    assert sorted((row.history_type, row.article_id) for row in latest) == [("+", 15), ("-", 48)]
    assert sorted(nominated.expertise.values_list("article_id", flat=True)) == [15, 46]


def test_an_edited_employment_row_is_one_change_of_that_row(cast, nominated):
    first = nominated.employment.get(start_year=2012)
    edited = {**JOB, "position": "Head of financial investigations"}
    _update(nominated, cast.owner, employment=[edited, _profile().employment[1]])
    (row,) = Employment.history.filter(expert_id=nominated.pk).exclude(history_type="+")
    assert (row.history_type, row.id, row.position, row.history_user_id) == (
        "~",
        first.pk,
        "Head of financial investigations",
        cast.owner.pk,
    )
    assert Employment.objects.filter(expert=nominated).count() == 2


def test_an_unchanged_save_leaves_no_history_of_the_parts(cast, nominated):
    before = _history_count()
    ids = sorted(nominated.languages.values_list("pk", flat=True))
    _update(nominated, cast.owner)
    assert _history_count() == before
    assert sorted(nominated.languages.values_list("pk", flat=True)) == ids


def test_a_change_of_the_sets_is_in_the_experts_history_once(cast, nominated):
    _update(nominated, cast.owner, countries_worked_in_ids=["UGA", "TZA"])
    rows = list(nominated.history.order_by("history_id"))
    assert len(rows) == 2
    assert sorted(rows[-1].countries_worked_in.values_list("country_id", flat=True)) == ["TZA", "UGA"]
    assert "countries_worked_in" in rows[-1].diff_against(rows[0]).changed_fields


def test_an_import_rerun_with_a_changed_level_leaves_history(cast):
    expert_import(by=cast.owner, rows=[expert_import_row(1)])
    expert = Expert.objects.get()
    unchanged = _history_count()
    expert_import(by=cast.owner, rows=[expert_import_row(1)])
    assert _history_count() == unchanged
    expert_import(by=cast.owner, rows=[expert_import_row(1, languages="en:C1;fr:B2;sw:N", articles="46:3")])
    changes = sorted(
        (row.history_type, row.language_id, row.level, row.history_user_id)
        for row in ExpertLanguage.history.filter(expert_id=expert.pk).exclude(history_type="+")
    )
    assert changes == [("~", "en", 5, cast.owner.pk)]
    (removed,) = ExpertArticle.history.filter(expert_id=expert.pk, history_type="-")
    assert (removed.article_id, removed.history_user_id) == (48, cast.owner.pk)
    # The expert's own history rows carry the assistance types the file gave.
    for row in expert.history.all():
        assert sorted(row.assistance_types.values_list("assistancetype_id", flat=True)) == [
            "capacity_building",
            "legal_advice",
        ]


def test_erasure_leaves_no_employer_position_or_institution_in_any_history(cast, nominated):
    _update(
        nominated,
        cast.owner,
        employment=[{**JOB, "employer": "Kenya Revenue Authority"}],
        education=[{**DEGREE, "institution": "University of Nairobi"}],
    )
    nominated.refresh_from_db()
    nominated.declared_conflict_states.set(["TZA"])
    expert_erase(expert=nominated, by=cast.secretariat)
    personal = [
        "Ethics and Anti-Corruption Commission",
        "Kenya Revenue Authority",
        "Senior investigator",
        "Strathmore University",
        "University of Nairobi",
        "Financial crime",
        "Asset tracing",
        "EACC",
    ]
    roster_models = apps.get_app_config("roster").get_models()
    histories = [model for model in roster_models if model.__name__.startswith("Historical")]
    assert len(histories) == 8
    for model in histories:
        text = json.dumps(list(model.objects.values()), default=str)
        for value in personal:
            assert value not in text, (model.__name__, value)
    conflicts = EXPERT_HISTORY.m2m_models[Expert._meta.get_field("declared_conflict_states")]
    assert not conflicts.objects.exists()
    # The languages' and articles' history stays with the aggregates.
    assert ExpertLanguage.history.filter(expert_id=nominated.pk).exists()


def test_the_data_export_holds_the_parts_history_and_never_the_cell_key(cast, nominated):
    _update(nominated, cast.owner, languages=[LanguageSkill("en", 4), LanguageSkill("sw", 7)])
    data = expert_data_export(expert=nominated)
    changes = [(c["part"], c["change"]) for c in data["parts_history"]]
    assert ("language", "changed") in changes and ("employment", "created") in changes
    assert "cell_key" not in json.dumps(data)


def test_the_admin_history_shows_the_parts_changes_in_few_queries(cast, nominated, django_assert_max_num_queries):
    client = cast.client_for("secretariat")
    url = reverse("admin:roster_expert_history", args=[nominated.pk])
    _update(
        nominated,
        cast.owner,
        languages=[LanguageSkill("en", 4), LanguageSkill("sw", 7)],
        countries_worked_in_ids=["TZA"],
    )
    with django_assert_max_num_queries(40) as few:
        response = client.get(url)
    body = response.content.decode()
    assert "Changes to languages" in body and "Changed: English: C2 → English: B2" in body
    assert "Tanzania" in body  # the change of a set, in the expert's own history
    for level in (1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1):
        _update(
            nominated,
            cast.owner,
            languages=[LanguageSkill("en", level), LanguageSkill("sw", 7)],
            countries_worked_in_ids=["UGA"] if level % 2 else ["TZA"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_seeding_the_demo_again_leaves_no_history_of_the_parts(db):
    demo_experts_seed(count=40, seed=5)
    first = _history_count()
    assert first == ExpertLanguage.objects.count() + ExpertArticle.objects.count()
    demo_experts_seed(count=40, seed=5)
    assert _history_count() == first
