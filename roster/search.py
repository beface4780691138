"""The secretariat's word search over what experts wrote: summary, current and past posts, and the CV's text.

Each expert's searchable text is kept folded (case and accents) in one row beside the expert (ExpertSearchText),
rebuilt by every write that changes one of its sources. Every word typed must begin a word of that text, on both
databases: PostgreSQL matches prefixes in the stored tsvector through its GIN index and ranks by ts_rank (when at
most RANKED_AT_MOST experts match); SQLite looks for " word" in the folded text.
"""

import logging
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, transaction
from django.db.models import F, Q, QuerySet

from roster.cv_text import CvText, cv_text_extract
from roster.models import Employment, Expert, ExpertSearchText

logger = logging.getLogger(__name__)

# A search of a dozen words is a sentence, not a search; each word costs a condition.
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
CHUNK = 1000
RANKED_AT_MOST = 1000


def search_fold(text: str) -> str:
    """Lower case, accents off, every run of non-letters and non-digits one space ("Procès-verbal" -> "proces verbal").

    Letters of every script are kept (a CV in Russian or Arabic stays searchable in its own words).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in kept).split())


def search_words(query: str) -> list[str]:
    """The words of a search as the folded text holds them, at most MAX_WORDS, each cut to MAX_WORD_LENGTH."""
    words: list[str] = []
    for word in search_fold(query).split():
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _content(*, fields: Mapping[str, str], posts: Sequence[tuple[str, str, str]], cv_text: str) -> str:
    parts = [fields["summary"], fields["current_position"], fields["employer"]]
    parts += [value for post in posts for value in post]
    parts.append(cv_text)
    return search_fold(" ".join(part for part in parts if part))


def search_text_refresh(*, expert_ids: Iterable[int], cv_texts: Mapping[int, CvText] | None = None) -> None:
    """Rebuild the searchable text of these experts from what they hold now, with a new CV text where given.

    A handful of queries per thousand experts, so that imports and seeding can call it for every row they write.
    """
    cv_texts = cv_texts or {}
    ids = sorted(set(expert_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        fields = {
            row["pk"]: row
            for row in Expert.objects.filter(pk__in=chunk).values(
                "pk", "summary", "current_position", "employer", "cv_file"
            )
        }
        posts: dict[int, list[tuple[str, str, str]]] = {}
        for expert_id, *post in Employment.objects.filter(expert_id__in=chunk).values_list(
            "expert_id", "position", "employer", "description"
        ):
            posts.setdefault(expert_id, []).append(tuple(post))
        stored = {
            row.pk: row for row in ExpertSearchText.objects.filter(pk__in=chunk).only("cv_text", "cv_text_status")
        }
        rows = []
        for expert_id, values in fields.items():
            cv = cv_texts.get(expert_id) or _stored_cv_text(stored.get(expert_id), has_cv=bool(values["cv_file"]))
            rows.append(
                ExpertSearchText(
                    expert_id=expert_id,
                    cv_text=cv.text,
                    cv_text_status=cv.status,
                    content=_content(fields=values, posts=posts.get(expert_id, []), cv_text=cv.text),
                )
            )
        ExpertSearchText.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["expert"],
            update_fields=["cv_text", "cv_text_status", "content", "updated_at"],
        )


def _stored_cv_text(row: ExpertSearchText | None, *, has_cv: bool) -> CvText:
    if not has_cv:
        # A CV removed (erased) takes its text with it.
        return CvText("", ExpertSearchText.CvTextStatus.NO_CV)
    if row is None or row.cv_text_status == ExpertSearchText.CvTextStatus.NO_CV:
        # A CV stored before its text was ever read: `rebuild_search_text --read-cvs` reads it.
        return CvText("", ExpertSearchText.CvTextStatus.NOT_READ)
    return CvText(row.cv_text, row.cv_text_status)


def expert_text_search(queryset: QuerySet[Expert], query: str) -> QuerySet[Expert]:
    """Experts whose summary, posts or CV hold every word of the query (as the beginning of a word).

    On PostgreSQL the rows come best match first (ts_rank) when at most RANKED_AT_MOST experts match.
    """
    words = search_words(query)
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        # Each word is letters and digits only (search_fold), so it cannot carry tsquery syntax.
        tsquery = SearchQuery(" & ".join(f"'{word}':*" for word in words), config="simple", search_type="raw")
        matched = queryset.filter(search_text__vector=tsquery)
        # ts_rank reads the positions of every match before the first page can be cut: 1.4 s for 20,000 matches
        # (benchmarks/roster_search.py). Past RANKED_AT_MOST matches the words say little anyway, and the list keeps
        # its own order, which its index serves a page at a time. Counting up to the limit is one short query.
        if matched.values("pk")[: RANKED_AT_MOST + 1].count() > RANKED_AT_MOST:
            return matched
        ranked = matched.annotate(search_rank=SearchRank(F("search_text__vector"), tsquery))
        return ranked.order_by("-search_rank", *Expert._meta.ordering)
    for word in words:
        # A word of the folded text follows a space, or opens the text.
        queryset = queryset.filter(
            Q(search_text__content__startswith=word) | Q(search_text__content__contains=f" {word}")
        )
    return queryset


@dataclass
class SearchTextRebuild:
    experts: int = 0
    cvs_read: int = 0
    cvs_without_text: int = 0


def search_text_rebuild(*, read_cvs: bool = False, reread_cvs: bool = False) -> SearchTextRebuild:
    """Rebuild every expert's searchable text, a chunk per transaction; read the CVs never read (or every CV).

    For the records written before the search existed, and after a change of how the text is folded.
    """
    report = SearchTextRebuild()
    ids = list(Expert.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cv_texts = _read_cvs(chunk, every=reread_cvs) if read_cvs or reread_cvs else {}
        with transaction.atomic():
            search_text_refresh(expert_ids=chunk, cv_texts=cv_texts)
        report.experts += len(chunk)
        report.cvs_read += len(cv_texts)
        report.cvs_without_text += sum(1 for cv in cv_texts.values() if not cv.text)
    return report


def _read_cvs(expert_ids: Sequence[int], *, every: bool) -> dict[int, CvText]:
    experts = Expert.objects.filter(pk__in=expert_ids).exclude(cv_file="").only("cv_file", "cv_content_type")
    if not every:
        read = ExpertSearchText.objects.exclude(
            cv_text_status__in=[ExpertSearchText.CvTextStatus.NO_CV, ExpertSearchText.CvTextStatus.NOT_READ]
        )
        experts = experts.exclude(pk__in=read.values("expert_id"))
    found = {}
    for expert in experts:
        try:
            with expert.cv_file.open("rb") as stream:
                found[expert.pk] = cv_text_extract(stream, content_type=expert.cv_content_type)
        except OSError:
            # A file missing from the storage is the storage's problem, reported apart; its text stays unread.
            logger.warning("The stored CV of expert %s could not be opened", expert.pk)
    return found
