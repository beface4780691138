"""Possible duplicates are flagged for a person to look at; nothing is merged automatically."""

import unicodedata

from django.db.models import Q, QuerySet

from roster.models import Expert


def expert_name_key(*, given_name: str, family_name: str) -> str:
    text = f"{given_name} {family_name}"
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded.lower()).split())


def expert_possible_duplicates(
    *, given_name: str, family_name: str, nationality_id: str, email: str, exclude_pk: int | None = None
) -> QuerySet[Expert]:
    """Experts with the same normalised name and nationality, or the same e-mail address."""
    key = expert_name_key(given_name=given_name, family_name=family_name)
    match = Q(name_key=key, nationality_id=nationality_id)
    if email:
        match |= Q(email__iexact=email.strip())
    qs = Expert.objects.filter(match).select_related("nominating_state")
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("pk")


def expert_possible_duplicates_of(expert: Expert) -> QuerySet[Expert]:
    """Possible duplicates of a record already saved (never the record itself)."""
    return expert_possible_duplicates(
        given_name=expert.given_name,
        family_name=expert.family_name,
        nationality_id=expert.nationality_id,
        email=expert.email,
        exclude_pk=expert.pk,
    )
