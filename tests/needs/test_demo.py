"""seed_demo --needs: deterministic, idempotent, skewed like the real register."""

from collections import Counter

import pytest
from django.core.management import call_command

from needs.demo import demo_needs_seed, state_working_languages
from needs.models import Need
from reference.models import Country

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    return [
        (
            need.external_id,
            need.requesting_state_id,
            need.title,
            need.review_cycle,
            tuple(a.pk for a in need.articles.all()),
            tuple(sorted(lang.pk for lang in need.working_languages.all())),
        )
        for need in Need.objects.prefetch_related("articles", "working_languages").order_by("external_id")
    ]


def test_seeding_twice_with_the_same_seed_changes_nothing():
    assert demo_needs_seed(count=40, seed=7) == 40
    first = _snapshot()
    assert demo_needs_seed(count=40, seed=7) == 40
    assert _snapshot() == first
    assert all(need.version == 1 for need in Need.objects.all())


def test_asking_for_more_needs_keeps_the_first_ones_as_they_were():
    demo_needs_seed(count=10, seed=3)
    first = _snapshot()
    assert demo_needs_seed(count=15, seed=3) == 15
    assert _snapshot()[:10] == first


def test_the_seed_command_reports_the_needs(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", "--needs", "5", "--seed", "2")
    assert "Demo needs: 5 in the register." in capsys.readouterr().out


def test_demo_needs_are_skewed_like_the_review_mechanism_reports():
    demo_needs_seed(count=400, seed=1)
    needs = list(Need.objects.select_related("requesting_state").prefetch_related("articles", "working_languages"))
    groups = Counter(need.requesting_state.regional_group for need in needs)
    assert groups["AFR"] + groups["APG"] > len(needs) / 2
    assert groups["AFR"] > groups["WEOG"] and groups["APG"] > groups["EEG"]
    for need in needs:
        chapters = {article.chapter_id for article in need.articles.all()}
        assert chapters <= ({"III", "IV"} if need.review_cycle == 1 else {"II", "V"})
    spoken = state_working_languages()
    for need in needs:
        codes = {lang.pk for lang in need.working_languages.all()}
        usual = set(spoken.get(need.requesting_state_id, []))
        if "fr" in usual or "es" in usual:
            assert codes & usual, need.requesting_state_id
        if not usual:
            assert codes == {"en"}
    assert any("fr" in {lang.pk for lang in n.working_languages.all()} for n in needs)
    assert any("es" in {lang.pk for lang in n.working_languages.all()} for n in needs)


def test_the_working_language_mapping_names_only_known_states_and_un_languages():
    mapping = state_working_languages()
    assert set(mapping) <= set(Country.objects.values_list("iso3", flat=True))
    assert {code for codes in mapping.values() for code in codes} <= {"fr", "es", "ar", "ru"}
    assert mapping["SEN"] == ["fr"] and mapping["MEX"] == ["es"]
