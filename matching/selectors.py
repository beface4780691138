"""Reads of rankings. Only the secretariat sees rankings: they name people across every State."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import User
from matching import engine
from matching.models import RankingSnapshot
from needs.models import Need

REPORTED_DECIMALS = 4


def ranking_list(*, user: User | None, need: Need) -> QuerySet[RankingSnapshot]:
    """The need's rankings, newest first; `user` None is an operator at the command line."""
    if user is not None and not getattr(user, "is_secretariat", False):
        raise PermissionDenied
    return RankingSnapshot.objects.filter(need=need).select_related("policy", "created_by")


def ranking_as_dict(*, snapshot: RankingSnapshot) -> dict[str, Any]:
    """The ranking in the shape `rank_need --json` prints."""
    return {
        "need": snapshot.need_id,
        "policy": snapshot.policy_parameters,
        "candidates": [
            {
                "expert": candidate.expert_id,
                "rank": candidate.rank,
                "score": round(candidate.score, REPORTED_DECIMALS),
                "components": {
                    name: round(candidate.components[name], REPORTED_DECIMALS) for name in engine.COMPONENTS
                },
                "covered_articles": candidate.covered_articles,
                "missing_articles": candidate.missing_articles,
                "regional_group": candidate.regional_group,
                "legal_system": candidate.legal_systems,
            }
            for candidate in snapshot.candidates_ranked.order_by("rank")
        ],
        "excluded": snapshot.excluded,
    }
