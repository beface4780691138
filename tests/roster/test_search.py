"""The secretariat finds experts by any words of their summary, posts and uploaded CV, with the list's filters."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from roster import services
from roster.cv_text import CvTextLimits, cv_text_extract
from roster.models import Expert, ExpertSearchText
from roster.personal_data import expert_data_export, expert_erase
from roster.search import search_fold, search_text_refresh, search_words
from roster.uploads import DOCX, ODT, PDF
from tests.factories import (
    EmploymentFactory,
    ExpertFactory,
    ExpertLanguageFactory,
    country,
    expert_import_row,
    expert_profile,
    nomination_form_data,
)
from tests.second_factor import SECOND_FACTOR_QUERIES

pytestmark = pytest.mark.django_db

Status = ExpertSearchText.CvTextStatus


# --- real documents, written by the libraries that read them -------------------------------------------------


def pdf_bytes(*pages: str) -> bytes:
    """A PDF of one page per text, written with pypdf (Helvetica, so Latin-1 text)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    for text in pages:
        page = writer.add_blank_page(width=612, height=792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        content = DecodedStreamObject()
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        content.set_data(f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("cp1252"))
        page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes(*paragraphs: str, table_cell: str = "") -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table_cell:
        document.add_table(rows=1, cols=1).cell(0, 0).text = table_cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes(*paragraphs: str, heading: str = "") -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    if heading:
        document.text.addElement(H(outlinelevel=1, text=heading))
    for text in paragraphs:
        document.text.addElement(P(text=text))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _with_part(archive_bytes: bytes, name: str, content: bytes) -> bytes:
    """The same archive with one part replaced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as source, zipfile.ZipFile(buffer, "w") as copy:
        for item in source.infolist():
            copy.writestr(item, content if item.filename == name else source.read(item))
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _found(client, **params) -> list[str]:
    response = client.get(reverse("roster:expert_list"), params)
    assert response.status_code == 200
    return [expert.family_name for expert in response.context["page"].object_list]


def _nominate(cast, *, family_name: str, cv: SimpleUploadedFile | None = None, **fields) -> Expert:
    profile = expert_profile(family_name=family_name, email=f"{family_name.lower()}@example.org", **fields)
    return services.expert_nominate(by=cast.owner, profile=profile, cv=cv)


# --- reading the text --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, content_type",
    [
        (pdf_bytes("Asset recovery in Lagos", "Second page: extradition"), PDF),
        (docx_bytes("Asset recovery in Lagos", table_cell="Second part: extradition"), DOCX),
        (odt_bytes("Second part: extradition", heading="Asset recovery in Lagos"), ODT),
    ],
    ids=["pdf", "docx", "odt"],
)
def test_the_text_of_each_kind_of_cv_is_read_in_reading_order(content, content_type):
    read = cv_text_extract(io.BytesIO(content), content_type=content_type)
    assert read.status == Status.READ
    assert read.text.index("Asset recovery in Lagos") < read.text.index("extradition")


def test_a_scanned_cv_without_text_is_kept_and_says_it_has_no_text():
    read = cv_text_extract(io.BytesIO(pdf_bytes("")), content_type=PDF)
    assert (read.text, read.status) == ("", Status.NO_TEXT)


@pytest.mark.parametrize(
    "content, content_type",
    [
        (b"%PDF-1.4\n" + b"\x00garbage" * 200, PDF),
        (b"PK\x03\x04 not really an archive", DOCX),
        (docx_bytes("fine")[:400], DOCX),  # cut short
        (_with_part(odt_bytes("fine"), "content.xml", b"<office:document-content><unclosed"), ODT),
    ],
    ids=["pdf-garbage", "docx-not-zip", "docx-truncated", "odt-broken-xml"],
)
def test_a_cv_that_cannot_be_read_gives_an_empty_text_never_an_error(content, content_type):
    read = cv_text_extract(io.BytesIO(content), content_type=content_type)
    assert (read.text, read.status) == ("", Status.UNREADABLE)


def test_reading_stops_at_the_page_and_character_limits_and_says_the_text_is_partial():
    many_pages = pdf_bytes(*(f"Page {n} money laundering" for n in range(1, 8)))
    read = cv_text_extract(io.BytesIO(many_pages), content_type=PDF, limits=CvTextLimits(max_pages=3))
    assert read.status == Status.PARTIAL and "Page 3" in read.text and "Page 4" not in read.text
    long_text = docx_bytes(*(["word " * 50] * 40))
    read = cv_text_extract(io.BytesIO(long_text), content_type=DOCX, limits=CvTextLimits(max_chars=500))
    assert read.status == Status.PARTIAL and len(read.text) <= 500


def test_reading_stops_when_its_time_is_up():
    many_pages = pdf_bytes(*(f"Page {n}" for n in range(1, 6)))
    read = cv_text_extract(io.BytesIO(many_pages), content_type=PDF, limits=CvTextLimits(seconds=0))
    # The time is checked after each page: one page is read, then the reading stops.
    assert read.status == Status.PARTIAL and read.text == "Page 1"


def test_an_archive_that_would_decompress_past_the_limit_is_not_decompressed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes("fine"))) as source, zipfile.ZipFile(buffer, "w") as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        bomb.writestr("word/media/padding.bin", b"\x00" * 2_000_000, compress_type=zipfile.ZIP_DEFLATED)
    assert len(buffer.getvalue()) < 100_000
    limits = CvTextLimits(max_unzipped_bytes=1_000_000)
    read = cv_text_extract(io.BytesIO(buffer.getvalue()), content_type=DOCX, limits=limits)
    assert (read.text, read.status) == ("", Status.UNREADABLE)


def test_words_are_folded_for_case_accents_and_punctuation_in_every_script():
    assert search_fold("Procès-VERBAL, Ñandú; São Paulo") == "proces verbal nandu sao paulo"
    assert search_fold("Генеральная прокуратура") == "генеральная прокуратура"
    assert search_words("  Lavado   de lavado ACTIVOS!! ") == ["lavado", "de", "activos"]
    assert search_words("% _ ' & | ! :*") == []


# --- the search, through the secretariat's list --------------------------------------------------------------


@pytest.fixture
def experts(cast):
    """Three nominations, each with a different CV kind, summary and post."""
    return {
        "Pdf": _nominate(
            cast,
            family_name="Pdf",
            summary="Twenty years of mutual legal assistance.",
            cv=upload("cv.pdf", pdf_bytes("Worked on asset recovery with the Procureur general")),
        ),
        "Docx": _nominate(
            cast,
            family_name="Docx",
            summary="Financial investigations.",
            cv=upload("cv.docx", docx_bytes("Led the procès of a money laundering network")),
        ),
        "Odt": _nominate(
            cast,
            family_name="Odt",
            current_position="Auditor general",
            cv=upload("cv.odt", odt_bytes("Public procurement audits; asset declarations")),
        ),
    }


def test_words_of_an_uploaded_cv_find_its_expert_whatever_the_kind_of_file(cast, experts):
    secretariat = cast.client_for("secretariat")
    assert _found(secretariat, text="recovery") == ["Pdf"]
    assert _found(secretariat, text="laundering") == ["Docx"]
    assert _found(secretariat, text="procurement") == ["Odt"]
    assert sorted(_found(secretariat, text="asset")) == ["Odt", "Pdf"]


def test_the_summary_the_current_post_and_past_posts_are_searched_too(cast, experts):
    secretariat = cast.client_for("secretariat")
    past = EmploymentFactory(expert=ExpertFactory(family_name="Past"), position="Magistrate", description="Bribery")
    # Written by a factory, outside the services: the refresh they would call makes it searchable.
    search_text_refresh(expert_ids=[past.expert_id])
    assert _found(secretariat, text="mutual assistance") == ["Pdf"]
    assert _found(secretariat, text="auditor") == ["Odt"]
    assert _found(secretariat, text="bribery magistrate") == ["Past"]


def test_every_word_must_appear_and_the_beginning_of_a_word_is_enough(cast, experts):
    secretariat = cast.client_for("secretariat")
    assert _found(secretariat, text="asset declarations") == ["Odt"]
    assert _found(secretariat, text="asset laundering") == []
    assert _found(secretariat, text="launder") == ["Docx"]
    # A word is matched from its beginning, not in its middle.
    assert _found(secretariat, text="aundering") == []


def test_the_search_ignores_case_and_accents_both_ways(cast, experts):
    secretariat = cast.client_for("secretariat")
    assert _found(secretariat, text="PROCES") == ["Docx"]  # the CV says "procès"
    assert _found(secretariat, text="procureur Général") == ["Pdf"]  # the CV says "general"


def test_the_words_combine_with_the_structured_filters(cast, experts):
    ExpertLanguageFactory(expert=experts["Pdf"], language_id="ar", level=5)
    secretariat = cast.client_for("secretariat")
    assert _found(secretariat, text="asset", language="ar", min_level="4") == ["Pdf"]
    assert sorted(_found(secretariat, text="asset", status="draft", articles=["48"])) == ["Odt", "Pdf"]
    assert _found(secretariat, text="asset", status="active") == []


def test_a_focal_point_finds_only_its_own_states_experts(cast, experts):
    other = ExpertFactory(family_name="Elsewhere", nominating_state=country("FRA"), summary="asset recovery")
    search_text_refresh(expert_ids=[other.pk])
    assert sorted(_found(cast.client_for("owner"), text="asset")) == ["Odt", "Pdf"]
    assert _found(cast.client_for("focal_point_other_state"), text="asset") == ["Elsewhere"]
    assert sorted(_found(cast.client_for("secretariat"), text="asset")) == ["Elsewhere", "Odt", "Pdf"]


def test_a_cv_uploaded_through_the_nomination_page_is_searchable(cast):
    cv = upload("Mon CV.odt", odt_bytes("Spécialiste de la coopération internationale"))
    response = cast.client_for("owner").post(
        reverse("roster:expert_nominate"), {**nomination_form_data(), "profile-cv": cv}
    )
    assert response.status_code == 302
    assert _found(cast.client_for("secretariat"), text="cooperation internationale") == ["Ramírez"]


def test_a_replaced_cv_replaces_its_text(cast, experts):
    expert = experts["Docx"]
    services.expert_update(
        expert=expert,
        by=cast.owner,
        version=expert.version,
        profile=expert_profile(family_name="Docx", email="docx@example.org", summary="Financial investigations."),
        cv=upload("new.pdf", pdf_bytes("Whistle-blower protection")),
    )
    secretariat = cast.client_for("secretariat")
    assert _found(secretariat, text="laundering") == []
    assert _found(secretariat, text="whistle blower") == ["Docx"]


def test_an_edit_without_a_new_cv_keeps_the_cv_text_and_takes_the_new_summary(cast, experts):
    expert = experts["Pdf"]
    services.expert_update(
        expert=expert,
        by=cast.owner,
        version=expert.version,
        profile=expert_profile(family_name="Pdf", email="pdf@example.org", summary="Extradition."),
    )
    secretariat = cast.client_for("secretariat")
    assert _found(secretariat, text="recovery extradition") == ["Pdf"]
    assert _found(secretariat, text="mutual") == []


def test_an_unreadable_cv_is_stored_and_the_secretariat_is_told_its_text_could_not_be_read(cast):
    broken = b"%PDF-1.4\n" + b"\x00garbage" * 200
    expert = _nominate(cast, family_name="Broken", cv=upload("cv.pdf", broken))
    assert expert.cv_file and expert.cv_file.read() == broken
    assert ExpertSearchText.objects.get(expert=expert).cv_text_status == Status.UNREADABLE
    page = cast.client_for("secretariat").get(reverse("admin:roster_expert_change", args=[expert.pk]))
    assert "The text could not be read. The CV is kept and opens as usual" in page.content.decode()


def test_the_secretariat_sees_that_a_cv_text_was_read(cast, experts):
    page = cast.client_for("secretariat").get(reverse("admin:roster_expert_change", args=[experts["Odt"].pk]))
    assert "Text read" in page.content.decode()


def test_the_cv_text_is_in_the_experts_own_data_export(cast, experts):
    exported = expert_data_export(expert=experts["Odt"])
    assert "Public procurement audits" in exported["cv"]["text_for_search"]
    json.dumps(exported)


def test_erasure_takes_the_cv_text_and_the_expert_is_no_longer_found(cast, experts):
    expert_erase(expert=experts["Pdf"], by=None)
    assert not ExpertSearchText.objects.filter(expert=experts["Pdf"]).exists()
    assert _found(cast.client_for("secretariat"), text="recovery") == []


def test_imported_experts_are_searchable_by_their_post(cast, tmp_path, run_manage):
    import csv

    path = tmp_path / "experts.csv"
    row = expert_import_row(1, current_position="Anti-corruption commissioner")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    assert run_manage("import_experts", str(path)) == 0
    assert _found(cast.client_for("secretariat"), text="commissioner") == ["Family1"]


def test_the_rebuild_command_reads_the_cvs_stored_before_the_search_existed(cast, run_manage, capsys):
    expert = ExpertFactory(family_name="Older", summary="Older summary")
    expert.cv_file.save("cv.pdf", ContentFile(pdf_bytes("Beneficial ownership registers")), save=False)
    expert.cv_content_type = PDF
    expert.save()
    secretariat = cast.client_for("secretariat")
    assert _found(secretariat, text="beneficial") == []
    assert run_manage("rebuild_search_text") == 0
    assert _found(secretariat, text="older summary") == ["Older"]
    assert ExpertSearchText.objects.get(expert=expert).cv_text_status == Status.NOT_READ
    assert _found(secretariat, text="beneficial") == []
    assert run_manage("rebuild_search_text", "--read-cvs") == 0
    assert _found(secretariat, text="beneficial ownership") == ["Older"]
    assert "1 CVs read, 0 of them without readable text" in capsys.readouterr().out
    # A second run has nothing left to read.
    assert run_manage("rebuild_search_text", "--read-cvs") == 0
    assert "0 CVs read" in capsys.readouterr().out


def test_the_search_makes_the_same_few_queries_for_3_or_30_experts(cast, django_assert_max_num_queries):
    client = cast.client_for("secretariat")
    client.get(reverse("roster:expert_list"))

    def roster(n: int) -> None:
        experts = [ExpertFactory(summary=f"Asset recovery case {i}") for i in range(n)]
        for expert in experts:
            ExpertLanguageFactory(expert=expert, language_id="en", level=6)
        search_text_refresh(expert_ids=[expert.pk for expert in experts])

    roster(3)
    params = {"text": "asset recovery", "language": "en"}
    # The list's own bound, and on PostgreSQL the short count that decides whether to rank the matches.
    with django_assert_max_num_queries(12 + SECOND_FACTOR_QUERIES) as small:
        assert len(client.get(reverse("roster:expert_list"), params).context["page"].object_list) == 3
    roster(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(reverse("roster:expert_list"), params).context["page"].object_list) == 25


def test_refreshing_the_text_of_many_experts_takes_a_few_queries_per_thousand(django_assert_max_num_queries):
    experts = Expert.objects.bulk_create(ExpertFactory.build(email=f"bulk{i}@example.org") for i in range(40))
    ids = list(Expert.objects.filter(email__startswith="bulk").values_list("pk", flat=True))
    assert len(ids) == len(experts)
    with django_assert_max_num_queries(4):
        search_text_refresh(expert_ids=ids)
    assert ExpertSearchText.objects.filter(expert_id__in=ids).count() == 40


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking and the GIN index are PostgreSQL's")
def test_on_postgresql_the_best_match_comes_first(cast):
    once = ExpertFactory(family_name="Aaa", summary="asset recovery")
    often = ExpertFactory(family_name="Zzz", summary="asset recovery asset recovery asset recovery asset")
    search_text_refresh(expert_ids=[once.pk, often.pk])
    assert _found(cast.client_for("secretariat"), text="asset") == ["Zzz", "Aaa"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking and the GIN index are PostgreSQL's")
def test_on_postgresql_the_search_uses_the_gin_index(cast):
    from django.test.utils import CaptureQueriesContext

    kenya = country("KEN")
    Expert.objects.bulk_create(
        ExpertFactory.build(
            nominating_state=kenya, email=f"many{i}@example.org", summary="rare" if i % 100 == 0 else "common"
        )
        for i in range(1000)
    )
    search_text_refresh(expert_ids=Expert.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'roster_expertsearchtext'")
        assert "expert_search_text_vector_gin" in {row[0] for row in cursor.fetchall()}
        cursor.execute("ANALYZE roster_expertsearchtext")
        cursor.execute("ANALYZE roster_expert")
    with CaptureQueriesContext(connection) as queries:
        cast.client_for("secretariat").get(reverse("roster:expert_list"), {"text": "rare"})
    # The short count that decides on ranking, the page's count and the page itself.
    searches = [q["sql"] for q in queries if "roster_expertsearchtext" in q["sql"]]
    assert len(searches) == 3
    for sql in searches:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "expert_search_text_vector_gin" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
def test_on_postgresql_too_many_matches_keep_the_lists_order_instead_of_ranking_them_all(cast, monkeypatch):
    monkeypatch.setattr("roster.search.RANKED_AT_MOST", 1)
    once = ExpertFactory(family_name="Aaa", summary="asset recovery")
    often = ExpertFactory(family_name="Zzz", summary="asset recovery asset recovery asset recovery asset")
    search_text_refresh(expert_ids=[once.pk, often.pk])
    assert _found(cast.client_for("secretariat"), text="asset") == ["Aaa", "Zzz"]
    assert _found(cast.client_for("secretariat"), text="asset", q="zzz") == ["Zzz"]
