"""Deterministic synthetic experts for a newcomer's portal and for trying matching on something roster-like.

The skew follows the real roster's shape (background paper, paras. 12-14): Western European and other
States nominate the most experts and African States the fewest, while needs lean the other way; English
dominates, with French, Spanish, Arabic, Russian and Chinese where the nominating State speaks them;
expertise concentrates on criminalization and law enforcement (chapter III) and international
cooperation (chapter IV). Every person is obviously fake: "Demo-00042", at demo.example.org.
"""

import random
from datetime import UTC, date, datetime, timedelta
from itertools import batched
from typing import Any

from django.db import reset_queries, transaction
from django.db.models import Model
from django.utils import timezone

from reference.models import Article, Country
from roster.duplicates import expert_name_key
from roster.history import parts_diff_keyed, parts_write
from roster.models import Expert, ExpertArticle, ExpertLanguage, LanguageLevel
from roster.roster_version import roster_version_bump
from roster.search import search_text_refresh

DEMO_PREFIX = "demo-"
# Demo focal points (accounts.demo) see their own State's experts, so those States get a larger share.
FEATURED_STATES = {"KEN", "NGA", "IND", "IDN", "POL", "BRA", "MEX", "FRA"}
GROUP_WEIGHTS = {"WEOG": 34, "EEG": 16, "APG": 20, "GRULAC": 17, "AFR": 13}
CHAPTER_WEIGHTS = {"I": 1, "II": 15, "III": 45, "IV": 25, "V": 12, "VI": 2}
SECTOR_WEIGHTS = {
    "prosecution": 16,
    "law_enforcement": 14,
    "anti_corruption_body": 16,
    "judiciary": 9,
    "fiu": 8,
    "government": 12,
    "audit": 5,
    "academia": 8,
    "private_sector": 4,
    "civil_society": 3,
    "international_organization": 4,
    "other": 1,
}
POSITIONS = {
    "prosecution": "Senior prosecutor",
    "law_enforcement": "Chief investigator",
    "anti_corruption_body": "Head of investigations",
    "judiciary": "Judge",
    "fiu": "Financial analyst",
    "government": "Legal adviser",
    "audit": "Senior auditor",
    "academia": "Professor of criminal law",
    "private_sector": "Compliance officer",
    "civil_society": "Programme director",
    "international_organization": "Anti-corruption adviser",
    "other": "Consultant",
}
ASSISTANCE_WEIGHTS = {
    "legal_advice": 22,
    "capacity_building": 22,
    "onsite_expert": 16,
    "good_practices": 12,
    "action_plan": 10,
    "model_legislation": 8,
    "model_agreement": 6,
    "other": 4,
}
STATUS_WEIGHTS = {"active": 80, "submitted": 7, "draft": 6, "changes_requested": 3, "inactive": 3, "withdrawn": 1}
GIVEN_NAMES = [
    "Amina",
    "Carlos",
    "Mei",
    "Olga",
    "Kwame",
    "Sofia",
    "Rahul",
    "Fatima",
    "Jonas",
    "Lucia",
    "Tariq",
    "Ingrid",
    "Chinedu",
    "Ana",
    "Dmitri",
    "Aiko",
    "Samuel",
    "Leila",
    "Mateo",
    "Nadia",
    "Hiroshi",
    "Grace",
    "Pavel",
    "Zainab",
]
NATIVE = {
    **dict.fromkeys(["USA", "GBR", "CAN", "AUS", "NZL", "IRL", "JAM", "TTO", "BHS", "BRB"], "en"),
    **dict.fromkeys(
        [
            "FRA",
            "BEL",
            "CHE",
            "LUX",
            "MCO",
            "SEN",
            "CIV",
            "CMR",
            "MLI",
            "BFA",
            "NER",
            "TCD",
            "GAB",
            "COG",
            "COD",
            "BEN",
            "TGO",
            "GIN",
            "MDG",
            "HTI",
        ],
        "fr",
    ),
    **dict.fromkeys(
        [
            "ESP",
            "MEX",
            "ARG",
            "COL",
            "PER",
            "CHL",
            "VEN",
            "ECU",
            "BOL",
            "PRY",
            "URY",
            "GTM",
            "HND",
            "SLV",
            "NIC",
            "CRI",
            "PAN",
            "DOM",
            "CUB",
        ],
        "es",
    ),
    **dict.fromkeys(["BRA", "PRT", "AGO", "MOZ", "CPV"], "pt"),
    **dict.fromkeys(
        [
            "EGY",
            "SAU",
            "ARE",
            "JOR",
            "LBN",
            "MAR",
            "DZA",
            "TUN",
            "IRQ",
            "QAT",
            "KWT",
            "OMN",
            "BHR",
            "LBY",
            "SDN",
            "YEM",
            "SYR",
            "MRT",
        ],
        "ar",
    ),
    **dict.fromkeys(["RUS", "BLR", "KAZ", "KGZ"], "ru"),
    "CHN": "zh",
    "DEU": "de",
    "AUT": "de",
    "ITA": "it",
    "NLD": "nl",
    "POL": "pl",
    "UKR": "uk",
    "IDN": "id",
    "TUR": "tr",
    "JPN": "ja",
    "KOR": "ko",
    "ROU": "ro",
    "GRC": "el",
    "KEN": "sw",
    "TZA": "sw",
}
# Second UN languages beyond English, by where they are plausible.
EXTRA_LANGUAGES = {
    "fr": {"AFR": 0.25, "WEOG": 0.30, "EEG": 0.08, "APG": 0.05, "GRULAC": 0.08},
    "es": {"AFR": 0.02, "WEOG": 0.15, "EEG": 0.04, "APG": 0.03, "GRULAC": 0.10},
    "ar": {"AFR": 0.06, "WEOG": 0.03, "EEG": 0.01, "APG": 0.06, "GRULAC": 0.0},
    "ru": {"AFR": 0.0, "WEOG": 0.04, "EEG": 0.40, "APG": 0.05, "GRULAC": 0.0},
    "zh": {"AFR": 0.01, "WEOG": 0.02, "EEG": 0.0, "APG": 0.06, "GRULAC": 0.0},
}
ENGLISH_SHARE = {"WEOG": 0.95, "EEG": 0.85, "APG": 0.88, "GRULAC": 0.75, "AFR": 0.85}
L = LanguageLevel


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Catalogue:
    """Reference data loaded once per call, in a fixed order so that the same seed draws the same things."""

    def __init__(self) -> None:
        members = list(
            Country.objects.exclude(regional_group="").order_by("iso3").values_list("iso3", "regional_group")
        )
        self.states_by_group: dict[str, list[str]] = {}
        for iso3, group in members:
            self.states_by_group.setdefault(group, []).append(iso3)
        self.all_states = [iso3 for iso3, _group in members]
        self.articles_by_chapter: dict[str, list[int]] = {}
        for number, chapter in Article.objects.order_by("number").values_list("number", "chapter_id"):
            self.articles_by_chapter.setdefault(chapter, []).append(number)


def _expert_values(i: int, seed: int, catalogue: _Catalogue, today: date) -> dict[str, Any]:
    # One generator per expert: expert i is the same whatever the count, so growing the demo keeps the first ones.
    rng = random.Random(f"roster-demo:{seed}:{i}")
    group = _pick(rng, GROUP_WEIGHTS)
    states = catalogue.states_by_group[group]
    state = rng.choices(states, weights=[6 if iso3 in FEATURED_STATES else 1 for iso3 in states])[0]
    nationality = state if rng.random() < 0.92 else rng.choice(states)
    sector = _pick(rng, SECTOR_WEIGHTS)
    given_name = rng.choice(GIVEN_NAMES)
    family_name = f"Demo-{i:05d}"

    languages: dict[str, int] = {}
    native = NATIVE.get(nationality)
    if native:
        languages[native] = L.NATIVE
    if "en" not in languages and rng.random() < ENGLISH_SHARE[group]:
        languages["en"] = rng.choices([L.B1, L.B2, L.C1, L.C2], weights=[1, 4, 4, 3])[0]
    for code, share in EXTRA_LANGUAGES.items():
        if code not in languages and rng.random() < share[group]:
            languages[code] = rng.choices([L.A2, L.B1, L.B2, L.C1, L.C2], weights=[1, 3, 4, 2, 1])[0]
    if not languages:
        languages["en"] = L.B2

    articles: dict[int, int] = {}
    for _ in range(rng.randint(2, 8)):
        chapter = _pick(rng, CHAPTER_WEIGHTS)
        articles.setdefault(rng.choice(catalogue.articles_by_chapter[chapter]), rng.choices([1, 2, 3], [3, 4, 3])[0])

    assistance = sorted({_pick(rng, ASSISTANCE_WEIGHTS) for _ in range(rng.randint(1, 3))})
    worked_in = sorted({rng.choice(catalogue.all_states) for _ in range(rng.randint(0, 3))} - {state})

    status = _pick(rng, STATUS_WEIGHTS)
    anchor = datetime(today.year, today.month, today.day, 9, tzinfo=UTC)
    consent_at = confirmed_at = None
    if status in ("active", "inactive", "withdrawn"):
        # About one in eight consented profiles is stale (not confirmed for a year), as on a real roster.
        confirmed_at = anchor - timedelta(days=rng.randint(370, 700) if rng.random() < 0.12 else rng.randint(5, 360))
        consent_at = confirmed_at - timedelta(days=rng.choice([0, 0, 0, 30, 200]))
    available_from = today + timedelta(days=rng.randint(-365, 0) if rng.random() < 0.8 else rng.randint(1, 180))
    available_until = None if rng.random() < 0.4 else available_from + timedelta(days=rng.randint(365, 1095))

    return {
        "row": {
            "nominating_state_id": state,
            "nationality_id": nationality,
            "given_name": given_name,
            "family_name": family_name,
            "name_key": expert_name_key(given_name=given_name, family_name=family_name),
            "gender": rng.choices(["female", "male", "other", "undisclosed"], weights=[45, 51, 1, 3])[0],
            "email": f"expert{i:06d}@demo.example.org",
            "phone": f"+00 555 {i:06d}",
            "current_position": POSITIONS[sector],
            "employer": f"Demo {sector.replace('_', ' ')} office",
            "sector": sector,
            "years_experience": min(40, max(3, int(rng.triangular(3, 35, 12)))),
            "summary": "Synthetic demo profile; not a real person.",
            "available_from": available_from,
            "available_until": available_until,
            "days_per_year": rng.choice([10, 15, 20, 30, 30, 40, 60, 90]),
            "remote": rng.random() < 0.9,
            "on_site": rng.random() < 0.7,
            "status": status,
            "consent_given_at": consent_at,
            "consent_text_version": "2026-1" if consent_at else "",
            "last_confirmed_at": confirmed_at,
        },
        "cell_key": rng.randrange(256),
        "languages": languages,
        "articles": articles,
        "assistance_types": assistance,
        "countries_worked_in": worked_in,
    }


def _links_sync(through: type[Model], target: str, stored_ids: list[int], wanted: set[tuple[int, Any]]) -> None:
    """Many-to-many links: remove the ones no longer wanted, add the new ones, leave the rest."""
    stored = {
        (expert_id, value): pk
        for pk, expert_id, value in through.objects.filter(expert_id__in=stored_ids).values_list(
            "pk", "expert_id", target
        )
    }
    removed = [pk for pair, pk in stored.items() if pair not in wanted]
    for chunk in batched(removed, 1000):
        through.objects.filter(pk__in=chunk).delete()
    added = [
        through(expert_id=expert_id, **{target: value})
        for expert_id, value in wanted
        if (expert_id, value) not in stored
    ]
    through.objects.bulk_create(added, batch_size=2000)


# Experts generated and written per round: memory holds one chunk, whatever the count (issue 13, item 4: 100,000
# experts took 1.2 GB held at once).
SEED_CHUNK = 2000


@transaction.atomic
def demo_experts_seed(*, count: int, seed: int) -> int:
    """Create or refresh demo experts 0..count-1 (external_id demo-NNNNNN); returns how many demo experts exist.

    Written SEED_CHUNK experts at a time, children included, so that memory and the time per expert stay flat."""
    catalogue = _Catalogue()
    today = timezone.localdate()
    for start in range(0, count, SEED_CHUNK):
        generated = [
            (f"{DEMO_PREFIX}{i:06d}", _expert_values(i, seed, catalogue, today))
            for i in range(start, min(count, start + SEED_CHUNK))
        ]
        _demo_chunk_write(generated)
        # With DEBUG on (make run), Django keeps the last 9,000 statements' text: the chunks' bulk inserts made
        # that 140 MB of the 100,000-expert seed's 300 MB peak.
        reset_queries()
    roster_version_bump()
    return Expert.objects.filter(external_id__startswith=DEMO_PREFIX).count()


def _demo_chunk_write(generated: list[tuple[str, dict[str, Any]]]) -> None:
    """Create, or rewrite where they differ, one chunk of demo experts and their parts and links."""
    external_ids = [external_id for external_id, _values in generated]
    existing = dict(Expert.objects.filter(external_id__in=external_ids).values_list("external_id", "pk"))
    fields = list(generated[0][1]["row"])

    to_create = [
        Expert(external_id=external_id, cell_key=values["cell_key"], **values["row"])
        for external_id, values in generated
        if external_id not in existing
    ]
    stored = {
        row.pop("external_id"): row
        for row in Expert.objects.filter(external_id__in=list(existing)).values("external_id", *fields)
    }
    # The demo's expert rows carry no change history: they are regenerated, never edited by a person.
    Expert.objects.bulk_create(to_create, batch_size=1000)
    # Only rows that differ are rewritten, one plain UPDATE each: re-seeding 10,000 changed experts on SQLite
    # took 44 s with bulk_update's CASE expressions and 3 to 6 s this way (children included).
    for external_id, values in generated:
        if external_id in existing and stored[external_id] != values["row"]:
            Expert.objects.filter(pk=existing[external_id]).update(**values["row"])
    pks = dict(Expert.objects.filter(external_id__in=external_ids).values_list("external_id", "pk"))
    stored_ids = list(existing.values())
    # Only what differs is written. The parts' changes are kept in their history (by nobody: a run of the
    # command), like any other change of them; a re-run with the same seed writes none.
    languages = parts_diff_keyed(
        stored=ExpertLanguage.objects.filter(expert_id__in=stored_ids),
        key=["expert_id", "language_id"],
        fields=["level"],
        wanted=[
            ExpertLanguage(expert_id=pks[external_id], language_id=code, level=level)
            for external_id, values in generated
            for code, level in values["languages"].items()
        ],
    )
    articles = parts_diff_keyed(
        stored=ExpertArticle.objects.filter(expert_id__in=stored_ids),
        key=["expert_id", "article_id"],
        fields=["level"],
        wanted=[
            ExpertArticle(expert_id=pks[external_id], article_id=number, level=level)
            for external_id, values in generated
            for number, level in values["articles"].items()
        ],
    )
    parts_write(ExpertLanguage, languages, fields=["level"], by=None)
    parts_write(ExpertArticle, articles, fields=["level"], by=None)
    _links_sync(
        Expert.assistance_types.through,
        "assistancetype_id",
        stored_ids,
        {(pks[external_id], code) for external_id, values in generated for code in values["assistance_types"]},
    )
    _links_sync(
        Expert.countries_worked_in.through,
        "country_id",
        stored_ids,
        {(pks[external_id], iso3) for external_id, values in generated for iso3 in values["countries_worked_in"]},
    )
    search_text_refresh(expert_ids=pks.values())
