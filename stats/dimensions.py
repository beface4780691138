"""The public code lists statistics are broken down by, and the closed grammar of a request."""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError

from needs.models import Need
from reference.models import Article, AssistanceType, Chapter, Country, Language, LegalSystem, RegionalGroup
from reference.names import lazy_name
from roster.models import Expert
from stats.models import Measure

MAX_FILTERS = 2
COVERAGE_MIN_EXPERTS = ("1", "3", "5")

CodeList = tuple[tuple[str, str | Promise], ...]


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str | Promise
    description: str
    codes: Callable[[], CodeList]
    # The form of a reference table's codes, for the schema; a model's own code list is enumerated instead.
    pattern: str | None = None


def _choices(choices: Sequence[tuple[str, str | Promise]]) -> Callable[[], CodeList]:
    return lambda: tuple((str(code), label) for code, label in choices)


def _named(rows: Sequence[tuple[object, str, str, str]]) -> CodeList:
    # Codes stay codes; labels follow the language of each request (the API's Accept-Language, the page's
    # language), as the labels of the portal's own code lists (gender, sector, priority) already do.
    return tuple((str(code), lazy_name(en, fr, es)) for code, en, fr, es in rows)


@cache
def _countries() -> CodeList:
    return _named(Country.objects.order_by("iso3").values_list("iso3", "name", "name_fr", "name_es"))


@cache
def _articles() -> CodeList:
    return _named(Article.objects.order_by("number").values_list("number", "title", "title_fr", "title_es"))


@cache
def _chapters() -> CodeList:
    return _named(Chapter.objects.order_by("position").values_list("numeral", "title", "title_fr", "title_es"))


@cache
def _languages() -> CodeList:
    return _named(Language.objects.order_by("code").values_list("code", "name", "name_fr", "name_es"))


@cache
def _legal_systems() -> CodeList:
    return _named(LegalSystem.objects.order_by("code").values_list("code", "name", "name_fr", "name_es"))


@cache
def _assistance_types() -> CodeList:
    return _named(AssistanceType.objects.order_by("position").values_list("code", "name", "name_fr", "name_es"))


REGIONAL_GROUP = Dimension(
    "regional_group",
    _("UN regional group"),
    "UN regional group (AFR, APG, EEG, GRULAC, WEOG)",
    _choices(RegionalGroup.choices),
)
ARTICLE = Dimension("article", _("UNCAC article"), "UNCAC article number (1-71)", _articles, r"^[0-9]{1,2}$")
CHAPTER = Dimension("chapter", _("UNCAC chapter"), "UNCAC chapter numeral (I-VIII)", _chapters, r"^[IVX]{1,4}$")
LANGUAGE = Dimension("language", _("Language"), "ISO 639-1 language code", _languages, r"^[a-z]{2}$")
ASSISTANCE_TYPE = Dimension(
    "assistance_type", _("Type of assistance"), "type of assistance code", _assistance_types, r"^[a-z_]+$"
)

DIMENSIONS: Mapping[str, tuple[Dimension, ...]] = {
    Measure.EXPERTS: (
        REGIONAL_GROUP,
        Dimension(
            "nationality",
            _("Nationality"),
            "ISO 3166 alpha-3 code of the expert's nationality",
            _countries,
            r"^[A-Z]{3}$",
        ),
        ARTICLE,
        CHAPTER,
        LANGUAGE,
        Dimension("gender", _("Gender"), "gender code", _choices(Expert.Gender.choices)),
        Dimension("sector", _("Sector"), "sector code", _choices(Expert.Sector.choices)),
        Dimension(
            "legal_system",
            _("Legal system"),
            "legal system component of the nationality's State",
            _legal_systems,
            r"^[a-z]+$",
        ),
        ASSISTANCE_TYPE,
    ),
    Measure.NEEDS: (
        REGIONAL_GROUP,
        Dimension(
            "country", _("Requesting State"), "ISO 3166 alpha-3 code of the requesting State", _countries, r"^[A-Z]{3}$"
        ),
        ARTICLE,
        CHAPTER,
        ASSISTANCE_TYPE,
        LANGUAGE,
        Dimension("priority", _("Priority"), "priority code", _choices(Need.Priority.choices)),
        Dimension("status", _("Status"), "status code", _choices(Need.Status.choices)),
    ),
    Measure.COVERAGE: (CHAPTER, ARTICLE, REGIONAL_GROUP, LANGUAGE),
}


def dimension(measure: str, name: str) -> Dimension:
    return next(d for d in DIMENSIONS[measure] if d.name == name)


def cell_name(pairs: Sequence[tuple[str, str]]) -> str:
    """The canonical name of a cell: the same members give the same name whatever the request's order."""
    return "&".join(f"{name}={code}" for name, code in sorted(pairs))


@dataclass(frozen=True)
class StatsQuery:
    measure: str
    group_by: str | None
    filters: tuple[tuple[str, str], ...]

    def total_cell(self) -> str:
        return cell_name(self.filters)

    def row_cell(self, code: str) -> str:
        assert self.group_by is not None
        return cell_name((*self.filters, (self.group_by, code)))


# Every message below is fixed: a refusal never tells anything about the data behind it.
UNKNOWN = _("Unknown parameter: use group_by and the dimensions the schema lists.")
FORBIDDEN = _("Statistics cannot be filtered by names, e-mail addresses, employers, identifiers or dates.")
REPEATED = _("Each parameter may be given once.")
LIST_VALUED = _("Each parameter takes one value, not a list.")
EMPTY = _("A parameter cannot be empty.")
TOO_MANY = _("At most one group_by and two filters.")
UNKNOWN_CODE = _("Unknown code for this dimension; the schema lists the codes.")
GROUPED_AND_FILTERED = _("A dimension cannot be both grouped and filtered.")
BAD_MIN_EXPERTS = _("min_experts must be 1, 3 or 5.")

_PERSONAL_OR_DATE = re.compile(r"name|mail|employer|phone|(^|_)(id|ids|pk|key)($|_)|date|time|_at$|day|year|from|until")


def _codes(measure: str, name: str) -> frozenset[str]:
    return frozenset(code for code, _label in dimension(measure, name).codes())


def _single_values(params: Mapping[str, Sequence[str]], allowed: set[str]) -> dict[str, str]:
    """Each parameter once, named in the grammar, with one non-empty value."""
    values: dict[str, str] = {}
    for name, given in params.items():
        if name.endswith("[]"):
            raise ParseError(LIST_VALUED)
        if name not in allowed:
            raise ParseError(FORBIDDEN if _PERSONAL_OR_DATE.search(name.lower()) else UNKNOWN)
        if len(given) != 1:
            raise ParseError(REPEATED)
        if given[0] == "":
            raise ParseError(EMPTY)
        if "," in given[0]:
            raise ParseError(LIST_VALUED)
        values[name] = given[0]
    return values


def stats_query_parse(*, measure: str, params: Mapping[str, Sequence[str]]) -> StatsQuery:
    """Read a request's parameters under the closed grammar, or raise a 400 with a fixed message."""
    names = {d.name for d in DIMENSIONS[measure]}
    allowed = names | {"group_by"} | ({"min_experts"} if measure == Measure.COVERAGE else set())
    values = _single_values(params, allowed)
    group_by = values.pop("group_by", None)
    if group_by is not None and group_by not in names:
        raise ParseError(UNKNOWN_CODE)
    filters: list[tuple[str, str]] = []
    if measure == Measure.COVERAGE:
        min_experts = values.pop("min_experts", COVERAGE_MIN_EXPERTS[0])
        if min_experts not in COVERAGE_MIN_EXPERTS:
            raise ParseError(BAD_MIN_EXPERTS)
        if values:
            raise ParseError(TOO_MANY)
        # The threshold of qualified experts is part of every coverage cell, like a filter that is always there.
        filters.append(("min_experts", min_experts))
    elif len(values) > MAX_FILTERS:
        raise ParseError(TOO_MANY)
    for name, code in values.items():
        if name == group_by:
            raise ParseError(GROUPED_AND_FILTERED)
        if code not in _codes(measure, name):
            raise ParseError(UNKNOWN_CODE)
        filters.append((name, code))
    return StatsQuery(measure=measure, group_by=group_by, filters=tuple(sorted(filters)))
