"""Small hand-made rosters for the engine's tests: plain values in, a RosterMatrix out (no database)."""

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matching import engine

# Articles 1-71 in eight chapters as the Convention numbers them.
CHAPTER_FIRST_ARTICLES = (1, 5, 15, 43, 51, 60, 63, 66)
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
ASSISTANCE = ("legal_advice", "model_legislation", "on_site", "capacity_building")
LEGAL = ("civil", "common", "customary", "islamic", "mixed")
# code: (regional group index, legal-system bits)
COUNTRIES = {
    "KEN": (0, 0b00010),
    "NGA": (0, 0b01010),
    "SEN": (0, 0b00001),
    "IND": (1, 0b00010),
    "IDN": (1, 0b00001),
    "POL": (2, 0b00001),
    "UKR": (2, 0b00001),
    "MEX": (3, 0b00001),
    "BRA": (3, 0b00001),
    "FRA": (4, 0b00001),
    "GBR": (4, 0b00010),
    "VAT": (5, 0b00001),
    "PSE": (5, 0b01001),
}
COUNTRY_CODES = tuple(COUNTRIES)


def chapter_of(article: int) -> int:
    return sum(1 for first in CHAPTER_FIRST_ARTICLES if article >= first) - 1


@dataclass
class E:
    """One expert as a test states it; defaults make a matchable English-speaking Kenyan with article 46."""

    id: int
    articles: dict[int, int] = field(default_factory=lambda: {46: 3})
    languages: dict[str, int] = field(default_factory=lambda: {"en": 6})
    assistance: tuple[str, ...] = ()
    nationality: str = "KEN"
    conflicts: tuple[str, ...] = ()
    active: bool = True
    consent: bool = True
    erased: bool = False
    available_from: date | None = None
    available_until: date | None = None
    remote: bool = True
    on_site: bool = True


def roster_of(experts: list[E], *, sort: bool = True) -> engine.RosterMatrix:
    """Rows in expert id order, as the services build them, unless sort=False (to show that order does not matter)."""
    if sort:
        experts = sorted(experts, key=lambda e: e.id)
    n = len(experts)
    levels = np.zeros((n, engine.ARTICLES), dtype=np.uint8)
    languages = np.zeros((n, len(LANGUAGES)), dtype=np.uint8)
    for row, expert in enumerate(experts):
        for article, level in expert.articles.items():
            levels[row, article - 1] = level
        for code, level in expert.languages.items():
            languages[row, LANGUAGES.index(code)] = level
    article_chapter = np.array([chapter_of(a) for a in range(1, 72)], dtype=np.int8)
    chapters = np.zeros((n, len(CHAPTER_FIRST_ARTICLES)), dtype=np.uint8)
    for chapter in range(len(CHAPTER_FIRST_ARTICLES)):
        chapters[:, chapter] = levels[:, article_chapter == chapter].max(axis=1)
    conflicts = [(row, COUNTRY_CODES.index(c)) for row, e in enumerate(experts) for c in e.conflicts]
    return engine.RosterMatrix(
        expert_ids=np.array([e.id for e in experts], dtype=np.int64),
        article_levels=levels,
        article_chapter=article_chapter,
        chapter_levels=chapters,
        language_codes=LANGUAGES,
        language_levels=languages,
        assistance_codes=ASSISTANCE,
        assistance_mask=np.array(
            [sum(1 << ASSISTANCE.index(code) for code in e.assistance) for e in experts], dtype=np.uint32
        ),
        country_codes=COUNTRY_CODES,
        country_group=np.array([COUNTRIES[c][0] for c in COUNTRY_CODES], dtype=np.int8),
        country_legal=np.array([COUNTRIES[c][1] for c in COUNTRY_CODES], dtype=np.uint8),
        legal_system_codes=LEGAL,
        nationality=np.array([COUNTRY_CODES.index(e.nationality) for e in experts], dtype=np.int16),
        conflict_rows=np.array([row for row, _c in conflicts], dtype=np.int64),
        conflict_countries=np.array([c for _row, c in conflicts], dtype=np.int16),
        active=np.array([e.active for e in experts], dtype=bool),
        consent=np.array([e.consent for e in experts], dtype=bool),
        erased=np.array([e.erased for e in experts], dtype=bool),
        available_from=np.array(
            [e.available_from.toordinal() if e.available_from else engine.OPEN_START for e in experts], dtype=np.int32
        ),
        available_until=np.array(
            [e.available_until.toordinal() if e.available_until else engine.OPEN_END for e in experts], dtype=np.int32
        ),
        remote=np.array([e.remote for e in experts], dtype=bool),
        on_site=np.array([e.on_site for e in experts], dtype=bool),
    )


def need_of(
    *,
    articles: tuple[int, ...] = (46,),
    assistance: str = "legal_advice",
    languages: tuple[str, ...] = ("en",),
    min_level: int = 4,
    country: str = "KEN",
    remote: bool = True,
    on_site: bool = True,
    desired_from: date | None = None,
    desired_until: date | None = None,
) -> engine.NeedVector:
    return engine.NeedVector(
        articles=articles,
        assistance_type=ASSISTANCE.index(assistance),
        languages=tuple(LANGUAGES.index(code) for code in languages),
        min_language_level=min_level,
        country=COUNTRY_CODES.index(country),
        remote=remote,
        on_site=on_site,
        desired_from=desired_from.toordinal() if desired_from else engine.OPEN_START,
        desired_until=desired_until.toordinal() if desired_until else engine.OPEN_END,
    )
