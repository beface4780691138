"""The review page's ranking tables as rows of ready text.

Fifty candidates with a score and five components each made the template call floatformat three hundred times and
reverse a URL twice per row: about half of the page's rendering time. Here each distinct number is formatted once
(with the same filter, so the text is the same in every language), and the loop only prints."""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.template.defaultfilters import floatformat
from django.urls import reverse

from matching import engine
from matching.models import AssignmentPin, RankedCandidate

DECIMALS = 3
NONE = "—"


@dataclass(frozen=True)
class RankingRow:
    rank: int
    expert_id: int
    name: str
    nationality: str
    record_url: str
    regional_group: str
    legal_systems: str
    score: str
    components: tuple[str, ...]  # in engine.COMPONENTS order, as the table's columns
    covered_articles: str
    missing_articles: str
    on_shortlist: bool
    rank_elsewhere: int | None = None
    pin: AssignmentPin | None = None


def ranking_rows(
    candidates: Iterable[RankedCandidate],
    *,
    need_id: int,
    shortlisted: Collection[int] = (),
    ranks_elsewhere: Mapping[int, int] | None = None,
    pins: Mapping[int, AssignmentPin] | None = None,
) -> list[RankingRow]:
    """`ranks_elsewhere` gives each expert's rank in the other ranking of a side-by-side comparison; `pins` each
    pinned expert's current pin for the need."""
    formatted: dict[object, str] = {}

    def number(value: object) -> str:
        if value not in formatted:
            formatted[value] = floatformat(value, DECIMALS)
        return formatted[value]

    rows = []
    for candidate in candidates:
        expert = candidate.expert
        rows.append(
            RankingRow(
                rank=candidate.rank,
                expert_id=candidate.expert_id,
                name=expert.display_name,
                nationality=expert.nationality.display_name,
                record_url=reverse("admin:review_record_open", args=[candidate.expert_id]) + f"?need={need_id}",
                regional_group=candidate.regional_group or NONE,
                legal_systems=", ".join(candidate.legal_systems),
                score=number(candidate.score),
                components=tuple(number(candidate.components.get(name, "")) for name in engine.COMPONENTS),
                covered_articles=", ".join(str(article) for article in candidate.covered_articles) or NONE,
                missing_articles=", ".join(str(article) for article in candidate.missing_articles) or NONE,
                on_shortlist=candidate.expert_id in shortlisted,
                rank_elsewhere=(ranks_elsewhere or {}).get(candidate.expert_id),
                pin=(pins or {}).get(candidate.expert_id),
            )
        )
    return rows
