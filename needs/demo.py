"""Synthetic needs for a newcomer's portal: deterministic, idempotent, skewed like the real register.

The skew follows what the review mechanism reports: most requests come from African and
Asia-Pacific States; the first review cycle covered chapters III (criminalization) and IV
(international cooperation), the second chapters II (prevention) and V (asset recovery); a State
works in French, Spanish, Arabic or Russian when it uses that language with the secretariat
(reference/data/state_working_languages.tsv, a project-owned approximation, not an official list).
"""

import random

from needs.imports import need_import
from needs.models import Need
from reference.loading import read_tsv
from reference.models import Article, AssistanceType, Country, RegionalGroup, UncacStatus

DEMO_PREFIX = "demo-need-"
GROUP_WEIGHTS = {
    RegionalGroup.AFR: 34,
    RegionalGroup.APG: 30,
    RegionalGroup.GRULAC: 16,
    RegionalGroup.EEG: 12,
    RegionalGroup.WEOG: 8,
}
# (review cycle, chapter) with the chapters each cycle reviewed.
CYCLE_CHAPTERS = {1: (("III", 55), ("IV", 45)), 2: (("II", 60), ("V", 40))}
TYPE_WEIGHTS = {
    "legal_advice": 22,
    "capacity_building": 20,
    "onsite_expert": 14,
    "good_practices": 12,
    "action_plan": 10,
    "model_legislation": 10,
    "model_agreement": 6,
    "other": 6,
}
PRIORITY_WEIGHTS = {"high": 30, "medium": 50, "low": 20}
SOURCE_WEIGHTS = {"review_report": 75, "self_assessment": 15, "direct_request": 10}


def state_working_languages() -> dict[str, list[str]]:
    return {row["iso3"]: row["languages"].split(";") for row in read_tsv("state_working_languages.tsv")}


def _pick(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def demo_need_row(
    *,
    i: int,
    seed: int,
    states: dict[str, list[Country]],
    articles: dict[str, list[Article]],
    types: dict[str, AssistanceType],
    languages: dict[str, list[str]],
) -> dict[str, str]:
    # One generator per need: the same seed gives need i the same content however many are asked for.
    rng = random.Random(f"{seed}:{i}")
    group = _pick(rng, {g: w for g, w in GROUP_WEIGHTS.items() if states.get(g)})
    state = rng.choice(states[group])
    cycle = rng.choice((1, 2))
    chapter = _pick(rng, dict(CYCLE_CHAPTERS[cycle]))
    cited = sorted(
        rng.sample(articles[chapter], k=min(len(articles[chapter]), rng.choice((1, 1, 1, 2, 2, 3)))),
        key=lambda article: article.pk,
    )
    spoken = languages.get(state.iso3, [])
    working = [spoken[0]] if spoken else ["en"]
    if len(spoken) > 1 and rng.random() < 0.3:
        working.append(spoken[1])
    if spoken and rng.random() < 0.35:
        working.append("en")
    kind = types[_pick(rng, TYPE_WEIGHTS)]
    source = _pick(rng, SOURCE_WEIGHTS)
    first = cited[0]
    reference = {
        "review_report": f"DEMO/IRG/{cycle}/{state.iso3}, para. {rng.randint(10, 240)}",
        "self_assessment": f"Demo self-assessment checklist, article {first.pk}",
        "direct_request": f"Demo letter no. {rng.randint(100, 999)}",
    }[source]
    row = {
        "external_id": f"{DEMO_PREFIX}{i:05d}",
        "country": state.iso3,
        "articles": ";".join(str(article.pk) for article in cited),
        "assistance_type": kind.code,
        "languages": ";".join(working),
        "priority": _pick(rng, PRIORITY_WEIGHTS),
        "title": f"{kind.name}: article {first.pk} ({first.title})"[:200],
        "description": (
            f"Demo data, not a real request. {state.name} asks for {kind.name.lower()} on article(s) "
            f"{', '.join(str(article.pk) for article in cited)} following review cycle {cycle}."
        ),
        "source": source,
        "source_reference": reference,
        "review_cycle": str(cycle),
    }
    return row


def demo_needs_seed(*, count: int, seed: int) -> int:
    """Create or refresh `count` demo needs (demo-need-00000…); returns how many demo needs now exist."""
    states: dict[str, list[Country]] = {}
    for country in Country.objects.filter(uncac_status=UncacStatus.PARTY).exclude(regional_group="").order_by("iso3"):
        states.setdefault(country.regional_group, []).append(country)
    articles: dict[str, list[Article]] = {}
    for article in Article.objects.order_by("number"):
        articles.setdefault(article.chapter_id, []).append(article)
    types = {kind.code: kind for kind in AssistanceType.objects.all()}
    languages = state_working_languages()
    rows = [
        demo_need_row(i=i, seed=seed, states=states, articles=articles, types=types, languages=languages)
        for i in range(count)
    ]
    result = need_import(rows=rows, by=None)
    if not result.ok:
        raise ValueError("; ".join(str(error) for error in result.errors))
    return Need.objects.filter(external_id__startswith=DEMO_PREFIX).count()
