"""Ranking through the database: snapshots, the roster version that keeps every process current, the policy in the
restricted admin, rank_need's JSON and coverage."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from matching import services
from matching.models import MatchingPolicy, RankingSnapshot
from matching.selectors import ranking_as_dict
from roster import services as roster_services
from roster.consent import expert_consent_refuse
from roster.imports import COLUMNS as IMPORT_COLUMNS
from roster.imports import expert_import
from roster.personal_data import expert_erase
from roster.roster_version import roster_version_current
from tests.factories import (
    ExpertArticleFactory,
    ExpertFactory,
    ExpertLanguageFactory,
    NeedFactory,
    ShortlistEntryFactory,
    country,
)

pytestmark = pytest.mark.django_db


def expert(nationality="FRA", articles=None, languages=None, assistance_types=(), conflicts=(), **fields):
    person = ExpertFactory(nominating_state=country(nationality), nationality=country(nationality), **fields)
    person.assistance_types.set(assistance_types)
    person.declared_conflict_states.set(conflicts)
    for article, level in (articles or {46: 3}).items():
        ExpertArticleFactory(expert=person, article_id=article, level=level)
    for code, level in (languages or {"en": 6}).items():
        ExpertLanguageFactory(expert=person, language_id=code, level=level)
    return person


@pytest.fixture
def need():
    return NeedFactory(articles=[46, 48], working_languages=["en"])


def test_a_ranking_is_kept_with_its_policy_roster_version_and_explanations(cast, need):
    strong = expert(articles={46: 3, 48: 3}, nationality="NGA")
    partial = expert(articles={46: 2})
    expert(languages={"en": 3})  # below B2
    expert(status="withdrawn")
    snapshot = services.rank_need(need=need, by=cast.secretariat)
    rows = list(snapshot.candidates_ranked.order_by("rank"))
    assert [row.expert_id for row in rows] == [strong.pk, partial.pk]
    assert rows[1].covered_articles == [46] and rows[1].missing_articles == [48]
    assert rows[0].regional_group == "AFR" and "common" in rows[0].legal_systems
    assert snapshot.excluded == {"inactive": 1, "language": 1}
    assert snapshot.policy.active and snapshot.policy_parameters["k"] == 5
    assert snapshot.roster_version == roster_version_current() and snapshot.created_by == cast.secretariat
    event = AuditEvent.objects.get(action="need.rank")
    assert event.actor == cast.secretariat and event.details["snapshot"] == snapshot.pk


def test_only_the_secretariat_ranks(cast, need):
    with pytest.raises(PermissionDenied):
        services.rank_need(need=need, by=cast.owner)


def test_building_the_arrays_takes_the_same_few_queries_for_any_roster_size(need, django_assert_max_num_queries):
    for _ in range(3):
        expert()
    with django_assert_max_num_queries(25) as few:
        services.rank_need(need=need)
    for _ in range(30):
        expert(articles={46: 1, 5: 2}, languages={"en": 5, "fr": 7}, assistance_types=["legal_advice"])
    services.ROSTER_CACHE.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        services.rank_need(need=need)


def test_the_arrays_read_the_experts_parts_without_sorting_them():
    # At 100,000 experts the models' default orderings sorted 478,000 articles and, on disk, 174,000 languages:
    # half the time of a rebuild, for arrays that do not depend on the order.
    expert(articles={46: 1, 5: 2}, languages={"en": 5, "fr": 7}, assistance_types=["legal_advice"], conflicts=["KEN"])
    with CaptureQueriesContext(connection) as queries:
        roster = services.roster_matrix_build()
    parts = [
        query["sql"]
        for query in queries.captured_queries
        if any(table in query["sql"] for table in ("expertarticle", "expertlanguage", "assistance_types", "conflict"))
    ]
    assert len(parts) == 4 and not any("ORDER BY" in sql for sql in parts), parts
    row = 0
    assert roster.article_levels[row, 4] == 2 and roster.article_levels[row, 45] == 1
    assert sorted(roster.language_levels[row][roster.language_levels[row] > 0].tolist()) == [5, 7]
    assert roster.assistance_mask[row] != 0 and len(roster.conflict_rows) == 1


def test_the_arrays_are_reused_until_the_roster_version_changes(need, django_assert_max_num_queries):
    expert()
    services.rank_need(need=need)
    with django_assert_max_num_queries(12):
        services.rank_need(need=need)


def test_a_change_made_through_one_process_is_seen_by_the_next_ranking_in_another(cast, need):
    # Two app servers: each holds its own arrays, and only the database is shared.
    here, there = services.RosterCache(), services.RosterCache()
    person = expert()
    _version, roster = there.current()
    assert roster.active[list(roster.expert_ids).index(person.pk)]
    here.current()
    roster_services.expert_withdraw(expert=person, by=cast.secretariat)
    _version, roster = there.current()
    assert not roster.active[list(roster.expert_ids).index(person.pk)]


def test_the_shared_cache_is_rebuilt_for_a_ranking_after_a_change_elsewhere(cast, need):
    person = expert()
    assert list(services.rank_need(need=need).candidates_ranked.values_list("expert_id", flat=True)) == [person.pk]
    expert_consent_refuse(expert=person)
    snapshot = services.rank_need(need=need)
    assert not snapshot.candidates_ranked.exists() and snapshot.excluded == {"no_consent": 1}


@pytest.mark.parametrize(
    "change",
    [
        lambda person, cast: roster_services.expert_withdraw(expert=person, by=cast.secretariat),
        lambda person, cast: roster_services.expert_confirm_current(expert=person, by=cast.secretariat),
        lambda person, cast: expert_consent_refuse(expert=person),
        lambda person, cast: expert_erase(expert=person, by=cast.secretariat),
        lambda person, cast: expert_import(
            by=None,
            rows=[
                dict.fromkeys(IMPORT_COLUMNS, "")
                | {
                    "external_id": "KEN-1",
                    "given_name": "Imported",
                    "family_name": "Expert",
                    "gender": "female",
                    "nationality": "KEN",
                    "nominating_state": "KEN",
                    "email": "imported@example.org",
                    "sector": "prosecution",
                    "languages": "en:C2",
                    "articles": "46:3",
                }
            ],
        ),
    ],
    ids=["withdraw", "confirm", "consent_refuse", "erase", "import"],
)
def test_every_change_of_an_expert_through_the_services_bumps_the_roster_version(cast, change):
    person = expert(nationality="KEN")
    before = roster_version_current()
    change(person, cast)
    assert roster_version_current() == before + 1


def test_a_refused_change_leaves_the_roster_version_as_it_was(cast):
    person = expert(nationality="KEN", status="rejected")
    before = roster_version_current()
    with pytest.raises(ValidationError):
        roster_services.expert_withdraw(expert=person, by=cast.secretariat)
    assert roster_version_current() == before


def test_the_json_of_rank_need_has_exactly_the_published_shape(need):
    first = expert(articles={46: 3, 48: 3}, nationality="MEX")
    expert(articles={46: 1}, nationality="VAT")
    out = io.StringIO()
    call_command("rank_need", str(need.pk), "--top", "1", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"need", "policy", "candidates", "excluded"} and data["need"] == need.pk
    assert data["policy"]["name"] == "Default" and data["policy"]["min_language_level"] == "B2"
    (candidate,) = data["candidates"]
    assert candidate == {
        "expert": first.pk,
        "rank": 1,
        "score": candidate["score"],
        "components": {
            "expertise": 1.0,
            "assistance_type": 0.0,
            "language": candidate["components"]["language"],
            "geography": 0.0,
            "workload": 1.0,
        },
        "covered_articles": [46, 48],
        "missing_articles": [],
        "regional_group": "GRULAC",
        "legal_system": ["civil"],
    }
    assert candidate["score"] == round(candidate["score"], 4)
    assert data == ranking_as_dict(snapshot=RankingSnapshot.objects.get())


def test_rank_need_refuses_an_unknown_need():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("rank_need", "999999", "--json")


def test_experts_engaged_on_other_needs_rank_lower_by_how_many(cast):
    """Workload is read from the shortlists: entries past the proposal, and deployments of the last year."""
    twice, once, recently_deployed = (expert() for _ in range(3))
    proposed_only, declined, removed, deployed_long_ago, free = (expert() for _ in range(5))
    today = date.today()
    for person, status in [
        (twice, "contacted"),
        (twice, "selected"),
        (once, "available"),
        (proposed_only, "proposed"),  # nobody has asked them yet
        (declined, "declined"),
    ]:
        ShortlistEntryFactory(expert=person, status=status)
    ShortlistEntryFactory(expert=recently_deployed, status="deployed", deployed_from=today - timedelta(days=30))
    ShortlistEntryFactory(
        expert=deployed_long_ago,
        status="deployed",
        deployed_from=today - timedelta(days=800),
        deployed_until=today - timedelta(days=400),
    )
    ShortlistEntryFactory(expert=removed, status="contacted", removed_at=timezone.now(), removed_reason="Mistake")
    need = NeedFactory(articles=[46])
    ShortlistEntryFactory(need=need, expert=free, status="contacted")  # this need's own shortlist is no load
    ranked = services.rank_need(need=need, top=20).candidates_ranked.all()
    workload = {row.expert_id: row.components["workload"] for row in ranked}
    assert workload == {
        twice.pk: pytest.approx(1 / 3),
        once.pk: 0.5,
        recently_deployed.pk: 0.5,
        proposed_only.pk: 1.0,
        declined.pk: 1.0,
        removed.pk: 1.0,
        deployed_long_ago.pk: 1.0,
        free.pk: 1.0,
    }


# --- the policy in the restricted admin -------------------------------------------------------------


def _policy_form(policy: MatchingPolicy, **changes) -> dict:
    data = {
        "name": policy.name,
        "weight_expertise": policy.weight_expertise,
        "weight_assistance_type": policy.weight_assistance_type,
        "weight_language": policy.weight_language,
        "weight_geography": policy.weight_geography,
        "weight_workload": policy.weight_workload,
        "same_chapter_credit": policy.same_chapter_credit,
        "min_language_level": policy.min_language_level,
        "k": policy.k,
        "regional_cap": policy.regional_cap,
        "expert_capacity": policy.expert_capacity,
        "min_legal_systems": policy.min_legal_systems,
        "regional_share_bands": json.dumps(policy.regional_share_bands),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_secretariat_edits_the_policy_and_every_change_is_audited(cast, need):
    policy = services.matching_policy_active()
    client = cast.client_for("secretariat")
    url = reverse("admin:matching_matchingpolicy_change", args=[policy.pk])
    response = client.post(url, _policy_form(policy, regional_cap=1, exclude_nationals="on"))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.regional_cap == 1 and policy.exclude_nationals and policy.version == 2
    event = AuditEvent.objects.get(action="matching.policy_change")
    assert event.actor == cast.secretariat and event.details["changes"]["regional_cap"] == [2, 1]
    assert services.rank_need(need=need).policy_parameters["regional_cap"] == 1


def test_a_new_policy_is_inactive_until_activated_and_activating_it_deactivates_the_other(cast):
    default = services.matching_policy_active()
    client = cast.client_for("secretariat")
    added = client.post(
        reverse("admin:matching_matchingpolicy_add"), _policy_form(default, name="Regional", weight_geography=0.5)
    )
    assert added.status_code == 302, added.context["adminform"].form.errors
    regional = MatchingPolicy.objects.get(name="Regional")
    assert not regional.active and services.matching_policy_active() == default
    client.post(
        reverse("admin:matching_matchingpolicy_changelist"),
        {"action": "activate", "_selected_action": [regional.pk]},
    )
    assert list(MatchingPolicy.objects.filter(active=True).values_list("name", flat=True)) == ["Regional"]
    assert [event.details["created"] for event in AuditEvent.objects.filter(action="matching.policy_change")] == [
        False,
        True,
    ]


def test_a_policy_whose_cap_exceeds_its_places_is_refused(cast):
    policy = services.matching_policy_active()
    response = cast.client_for("secretariat").post(
        reverse("admin:matching_matchingpolicy_change", args=[policy.pk]), _policy_form(policy, k=2, regional_cap=3)
    )
    assert response.status_code == 200 and "cannot exceed" in response.text
    policy.refresh_from_db()
    assert policy.k == 5 and not AuditEvent.objects.filter(action="matching.policy_change").exists()


@pytest.mark.parametrize("who", ["owner", "focal_point_other_state", "anonymous"])
def test_only_the_secretariat_reaches_the_policy(cast, who):
    response = cast.client_for(who).get(reverse("admin:matching_matchingpolicy_changelist"))
    assert response.status_code == 302


# --- coverage ---------------------------------------------------------------------------------------


def test_coverage_counts_qualified_experts_and_names_the_best_relaxation():
    need = NeedFactory(articles=[46, 48], working_languages=["en"], remote=False, on_site=True)
    covered = NeedFactory(articles=[46], working_languages=["en"])
    for _ in range(5):
        expert(articles={46: 3})
    expert(articles={46: 3, 48: 3})
    expert(articles={46: 3, 48: 3}, on_site=False)
    found = {item.need_id: item for item in services.need_coverage()}
    assert found[covered.pk].qualified == 7 and found[covered.pk].relaxations == ()
    short = found[need.pk]
    assert short.qualified == 1
    assert (short.best_relaxation.name, short.best_relaxation.adds, short.best_relaxation.article) == (
        "article_dropped",
        5,
        48,
    )
    gaps = services.coverage_gaps(coverage=list(found.values()), k=5)
    assert gaps == {"article": {"46": 1, "48": 1}, "language": {"en": 1}, "regional_group": {"AFR": 1}}


def test_coverage_counts_open_needs_with_enough_qualified_experts_by_group():
    NeedFactory(articles=[46], working_languages=["en"])
    NeedFactory(articles=[46, 5], working_languages=["en", "fr"], requesting_state=country("FRA"))
    NeedFactory(articles=[46], status="cancelled")
    expert(articles={46: 3, 5: 1}, nationality="MEX", languages={"en": 6, "fr": 6})
    expert(articles={46: 2}, nationality="MEX")
    assert services.coverage_counts(min_experts=1) == {"total": 2}
    assert services.coverage_counts(min_experts=2) == {"total": 1}
    assert services.coverage_counts(min_experts=1, group_by="chapter") == {"IV": 2, "II": 1}
    assert services.coverage_counts(min_experts=1, group_by="language") == {"en": 2, "fr": 1}
    assert services.coverage_counts(min_experts=1, group_by="regional_group") == {"AFR": 1, "WEOG": 1}
    with pytest.raises(ValueError):
        services.coverage_counts(min_experts=1, group_by="expert")


def test_an_expert_unavailable_in_the_desired_period_is_not_qualified():
    need = NeedFactory(desired_from=date(2030, 1, 1), desired_until=date(2030, 6, 30))
    expert(available_until=date(2029, 12, 31))
    expert(available_from=date(2030, 6, 1))
    assert services.rank_need(need=need).excluded == {"unavailable": 1}


def test_the_coverage_command_reports_short_needs_their_relaxation_and_the_gaps():
    short = NeedFactory(articles=[46, 48], working_languages=["en"])
    for _ in range(3):
        expert(articles={46: 3})
    out = io.StringIO()
    call_command("coverage", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["needs"] == [
        {"need": short.pk, "qualified": 0, "relaxation": {"name": "article_dropped", "adds": 3, "article": 48}}
    ]
    assert data["gaps"]["article"] == {"46": 1, "48": 1} and data["k"] == 5
    text = io.StringIO()
    call_command("coverage", stdout=text)
    assert "1 open needs, 1 with fewer than 5 qualified experts" in text.getvalue()
