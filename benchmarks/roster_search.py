"""Server time of the roster list's word search (summary, posts, CV text) and of the dashboard, with N experts.

    .venv/bin/python benchmarks/roster_search.py --experts 10000 [--cv-words 600] [--repeat 7] [--database-url URL]

Builds the roster in a throwaway database (a temporary SQLite file unless --database-url names another empty
database): each expert gets a summary and a CV text of --cv-words words drawn from a vocabulary of legal and
anti-corruption terms (a few of them rare), and open needs. Times the search text's rebuild for the whole roster,
then the secretariat's list with a rare word, a common word, two words and two words with a language filter, and
the dashboard; prints the median of the repetitions and the number of SQL queries of each request. Also times
reading the text of a 20-page PDF, a DOCX and an ODT.
"""

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.django_setup import django_migrated  # noqa: E402
from benchmarks.serving import signed_in_client  # noqa: E402

BATCH = 2000
COMMON = [
    "prosecution",
    "investigation",
    "corruption",
    "bribery",
    "court",
    "judge",
    "evidence",
    "mutual",
    "legal",
    "assistance",
    "extradition",
    "asset",
    "recovery",
    "audit",
    "procurement",
    "integrity",
    "public",
    "officials",
    "cooperation",
    "training",
    "legislation",
    "review",
    "convention",
    "money",
    "laundering",
    "financial",
    "intelligence",
    "police",
    "customs",
    "ministry",
    "justice",
]
RARE = ["cryptoassets", "whistleblower", "sextortion", "beneficial", "ombudsman"]


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--cv-words", type=int, default=600)
    parser.add_argument("--needs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", default="", help="an empty database to fill; default: a temporary SQLite file"
    )
    return parser.parse_args()


def _words(rng: random.Random, n: int) -> str:
    words = rng.choices(COMMON, k=n)
    if rng.random() < 0.01:
        words[rng.randrange(n)] = rng.choice(RARE)
    return " ".join(words)


def _build(n: int, cv_words: int, needs: int, seed: int) -> object:
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import secretariat_group
    from needs.models import Need
    from reference.models import Country
    from roster.cv_text import CvText
    from roster.models import Expert, ExpertArticle, ExpertLanguage
    from roster.search import search_text_refresh

    rng = random.Random(seed)
    states = list(Country.objects.exclude(regional_group=None).values_list("iso3", flat=True))
    secretariat = User.objects.create_user(email="bench@example.org", role=User.Role.SECRETARIAT, is_staff=True)
    secretariat.groups.add(secretariat_group())
    now = timezone.now()
    started = time.perf_counter()
    for offset in range(0, n, BATCH):
        experts = Expert.objects.bulk_create(
            Expert(
                nominating_state_id=(state := rng.choice(states)),
                nationality_id=state,
                given_name=f"Given{i}",
                family_name=f"Family{i:07d}",
                name_key=f"given{i} family{i:07d}",
                gender=rng.choice(["female", "male"]),
                email=f"expert{i}@bench.example.org",
                sector="prosecution",
                summary=_words(rng, 40),
                current_position="Prosecutor",
                status="active",
                consent_given_at=now,
                last_confirmed_at=now,
                cv_file=f"cv/bench{i}.pdf",
                cv_content_type="application/pdf",
            )
            for i in range(offset, min(offset + BATCH, n))
        )
        if experts[0].pk is None:
            experts = list(Expert.objects.filter(pk__gt=0).order_by("-pk")[: len(experts)])
        ExpertLanguage.objects.bulk_create(
            ExpertLanguage(expert=expert, language_id=code, level=rng.randint(3, 7))
            for expert in experts
            for code in {"en", rng.choice(["fr", "es", "ar", "ru"])}
        )
        ExpertArticle.objects.bulk_create(
            ExpertArticle(expert=expert, article_id=number, level=rng.randint(1, 3))
            for expert in experts
            for number in {rng.randint(15, 50) for _ in range(3)}
        )
        cv_texts = {expert.pk: CvText(_words(rng, cv_words), "read") for expert in experts}
        search_text_refresh(expert_ids=cv_texts, cv_texts=cv_texts)
    built = time.perf_counter() - started
    for i in range(needs):
        need = Need.objects.create(
            requesting_state_id=rng.choice(states),
            title=f"Need {i}",
            assistance_type_id="legal_advice",
            source="review_report",
        )
        need.articles.set({rng.randint(15, 50) for _ in range(2)})
        need.working_languages.set([rng.choice(["en", "fr", "es"])])
    print(f"built {n} experts with {cv_words}-word CV texts (search text included) in {built:.1f} s")
    started = time.perf_counter()
    search_text_refresh(expert_ids=Expert.objects.values_list("pk", flat=True))
    print(f"rebuilt the search text of the whole roster in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return secretariat


def _time(client, url: str, params: dict, repeat: int) -> tuple[float, int, int | None]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        queries = len(captured.captured_queries)
    page = response.context.get("page") if response.context else None
    return statistics.median(times) * 1000, queries, page.paginator.count if page else None


def _reading(repeat: int) -> None:
    from docx import Document
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    from roster.cv_text import cv_text_extract
    from roster.uploads import DOCX, ODT, PDF
    from tests.roster.test_search import pdf_bytes

    paragraph = " ".join(COMMON * 4)
    documents = {"PDF, 20 pages": (pdf_bytes(*([paragraph[:1500]] * 20)), PDF)}
    docx = Document()
    odt = OpenDocumentText()
    for _ in range(200):
        docx.add_paragraph(paragraph)
        odt.text.addElement(P(text=paragraph))
    for name, document, kind in (("DOCX, 200 paragraphs", docx, DOCX), ("ODT, 200 paragraphs", odt, ODT)):
        buffer = io.BytesIO()
        (document.save if kind == DOCX else document.write)(buffer)
        documents[name] = (buffer.getvalue(), kind)
    for name, (content, kind) in documents.items():
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            read = cv_text_extract(io.BytesIO(content), content_type=kind)
            times.append(time.perf_counter() - started)
        print(f"  reading {name:<28} {statistics.median(times) * 1000:8.1f} ms  {len(read.text):7d} characters")


def main() -> None:
    args = _parse()
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        django_migrated(args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        from django.db import connection
        from django.test.utils import setup_test_environment
        from django.urls import reverse

        setup_test_environment()
        secretariat = _build(args.experts, args.cv_words, args.needs, args.seed)
        client = signed_in_client(secretariat)
        url = reverse("roster:expert_list")
        cases = [
            ("rare word 'whistleblower'", url, {"text": "whistleblower"}),
            ("common word 'extradition'", url, {"text": "extradition"}),
            ("two words 'asset recovery'", url, {"text": "asset recovery"}),
            ("two words + French at C1", url, {"text": "asset recovery", "language": "fr", "min_level": "5"}),
            ("prefix 'launder'", url, {"text": "launder"}),
            ("dashboard", "/secretariat/workspace/dashboard/", {}),
        ]
        print(f"database: {connection.vendor}; experts: {args.experts}; median of {args.repeat} requests")
        for label, path, params in cases:
            median_ms, queries, rows = _time(client, path, params, args.repeat)
            matching = f"{rows:7d} matching" if rows is not None else ""
            print(f"  {label:<40} {median_ms:8.1f} ms  {queries:3d} queries  {matching}")
        _reading(args.repeat)


if __name__ == "__main__":
    main()
