"""seed_demo experts: deterministic, idempotent, obviously fake, and skewed like the real roster."""

from collections import Counter

import pytest
from django.core.management import call_command

from roster.demo import demo_experts_seed
from roster.models import Expert, ExpertArticle, ExpertLanguage
from roster.selectors import expert_matchable, expert_stale


def snapshot() -> dict:
    experts = {
        row["external_id"]: row
        for row in Expert.objects.filter(external_id__startswith="demo-").values(
            "external_id",
            "given_name",
            "family_name",
            "email",
            "nominating_state_id",
            "nationality_id",
            "gender",
            "sector",
            "status",
            "consent_given_at",
            "last_confirmed_at",
            "available_from",
            "available_until",
            "days_per_year",
            "remote",
            "on_site",
            "cell_key",
        )
    }
    languages = sorted(ExpertLanguage.objects.values_list("expert__external_id", "language_id", "level"))
    articles = sorted(ExpertArticle.objects.values_list("expert__external_id", "article_id", "level"))
    assistance = sorted(Expert.objects.values_list("external_id", "assistance_types__code"), key=str)
    return {"experts": experts, "languages": languages, "articles": articles, "assistance": assistance}


def test_the_same_call_twice_leaves_the_same_roster(db):
    assert demo_experts_seed(count=120, seed=7) == 120
    first = snapshot()
    assert demo_experts_seed(count=120, seed=7) == 120
    assert snapshot() == first
    assert Expert.objects.count() == 120


def test_the_same_seed_gives_the_same_people_and_another_seed_others(db):
    demo_experts_seed(count=50, seed=1)
    one = snapshot()
    Expert.objects.all().delete()
    demo_experts_seed(count=50, seed=1)
    again = snapshot()
    assert again == one
    demo_experts_seed(count=50, seed=2)
    assert snapshot()["articles"] != one["articles"]


def test_growing_the_demo_keeps_the_first_experts(db):
    demo_experts_seed(count=30, seed=3)
    small = snapshot()
    assert demo_experts_seed(count=60, seed=3) == 60
    grown = snapshot()
    assert {k: grown["experts"][k] for k in small["experts"]} == small["experts"]


def test_demo_people_are_obviously_fake(db):
    demo_experts_seed(count=40, seed=1)
    for expert in Expert.objects.all():
        assert expert.email.endswith("@demo.example.org")
        assert expert.family_name.startswith("Demo-")
        assert expert.name_key


@pytest.fixture
def demo_roster(db):
    demo_experts_seed(count=600, seed=1)


def test_weog_nominates_more_and_africa_fewer(demo_roster):
    groups = Counter(Expert.objects.values_list("nominating_state__regional_group", flat=True))
    assert groups["WEOG"] > groups["APG"] > groups["AFR"]
    assert groups["WEOG"] > 1.8 * groups["AFR"]


def test_english_dominates_with_other_un_languages_where_plausible(demo_roster):
    speakers = Counter(ExpertLanguage.objects.values_list("language_id", flat=True))
    assert speakers.most_common(1)[0][0] == "en"
    assert speakers["en"] > 0.75 * Expert.objects.count()
    for code in ["fr", "es", "ar", "ru", "zh"]:
        assert speakers[code] > 0, code
    # Spanish is native in Latin America, not learnt in Africa
    spanish = Counter(
        ExpertLanguage.objects.filter(language_id="es").values_list("expert__nationality__regional_group", flat=True)
    )
    assert spanish["GRULAC"] > spanish["AFR"]


def test_expertise_concentrates_in_chapters_three_and_four(demo_roster):
    chapters = Counter(ExpertArticle.objects.values_list("article__chapter_id", flat=True))
    total = sum(chapters.values())
    assert (chapters["III"] + chapters["IV"]) / total > 0.6
    assert set(ExpertArticle.objects.values_list("level", flat=True)) == {1, 2, 3}


def test_most_are_active_with_consent_some_are_drafts_or_submitted_some_stale(demo_roster):
    statuses = Counter(Expert.objects.values_list("status", flat=True))
    total = Expert.objects.count()
    assert 0.7 < statuses["active"] / total < 0.9
    assert statuses["draft"] and statuses["submitted"]
    assert not Expert.objects.filter(status="active", consent_given_at__isnull=True).exists()
    assert expert_matchable().count() > 0.5 * total
    assert 0 < expert_stale(Expert.objects.filter(status="active")).count() < 0.25 * statuses["active"]


def test_seed_demo_command_reports_the_experts(db, capsys):
    call_command("seed_demo", "--experts", "25", "--seed", "4", "--force")
    assert "Demo experts: 25 in the roster." in capsys.readouterr().out
    assert Expert.objects.filter(external_id__startswith="demo-").count() == 25


def test_seeding_chunk_by_chunk_gives_the_roster_of_one_chunk(db, monkeypatch):
    demo_experts_seed(count=45, seed=6)
    whole = snapshot()
    Expert.objects.all().delete()
    monkeypatch.setattr("roster.demo.SEED_CHUNK", 7)
    assert demo_experts_seed(count=45, seed=6) == 45
    assert snapshot() == whole
    assert demo_experts_seed(count=45, seed=6) == 45
    assert snapshot() == whole


def test_the_queries_of_seeding_grow_with_the_chunks_not_the_experts(db, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr("roster.demo.SEED_CHUNK", 10)
    # About thirteen queries a chunk (experts, their parts, links, history and search text) and a few for the
    # reference data.
    with django_assert_max_num_queries(20):
        demo_experts_seed(count=10, seed=2)
    Expert.objects.all().delete()
    with django_assert_max_num_queries(20 + 3 * 13):
        demo_experts_seed(count=40, seed=2)
