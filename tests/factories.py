"""factory_boy factories for every model the tests build, and the form data the page tests post."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from reference.models import Country
from roster.duplicates import expert_name_key
from roster.services import ArticleExpertise, ExpertProfile, LanguageSkill


def country(iso3: str) -> Country:
    return Country.objects.get(iso3=iso3)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    role = User.Role.FOCAL_POINT
    state = factory.LazyFunction(lambda: country("KEN"))
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class FocalPointFactory(UserFactory):
    role = User.Role.FOCAL_POINT


class SecretariatFactory(UserFactory):
    role = User.Role.SECRETARIAT
    state = None
    is_staff = True

    @factory.post_generation
    def in_group(obj, create, extracted, **kwargs):
        if create:
            from accounts.services import secretariat_group

            obj.groups.add(secretariat_group())


# --- roster factories (roster issue) ---


class ExpertFactory(DjangoModelFactory):
    class Meta:
        model = "roster.Expert"

    nominating_state = factory.LazyFunction(lambda: country("KEN"))
    nationality = factory.SelfAttribute("nominating_state")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    name_key = factory.LazyAttribute(lambda o: expert_name_key(given_name=o.given_name, family_name=o.family_name))
    gender = "female"
    email = factory.Sequence(lambda n: f"expert{n}@example.org")
    current_position = "Senior prosecutor"
    employer = "Office of the Director of Public Prosecutions"
    sector = "prosecution"
    years_experience = 12
    days_per_year = 30
    status = "active"
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_text_version = "2026-1"
    last_confirmed_at = factory.LazyFunction(timezone.now)


class ExpertLanguageFactory(DjangoModelFactory):
    class Meta:
        model = "roster.ExpertLanguage"

    expert = factory.SubFactory(ExpertFactory)
    language_id = "en"
    level = 6


class ExpertArticleFactory(DjangoModelFactory):
    class Meta:
        model = "roster.ExpertArticle"

    expert = factory.SubFactory(ExpertFactory)
    article_id = 46
    level = 3


class EmploymentFactory(DjangoModelFactory):
    class Meta:
        model = "roster.Employment"

    expert = factory.SubFactory(ExpertFactory)
    employer = "Ministry of Justice"
    position = "Head of the mutual legal assistance unit"
    start_year = 2015
    end_year = 2021
    description = "Incoming and outgoing requests under chapter IV."


class EducationFactory(DjangoModelFactory):
    class Meta:
        model = "roster.Education"

    expert = factory.SubFactory(ExpertFactory)
    institution = "University of Nairobi"
    degree = "LLM"
    field_of_study = "International criminal law"
    year = 2010


def expert_profile(**overrides) -> ExpertProfile:
    """A complete profile as the nomination form would hand it to expert_nominate or expert_update."""
    fields = {
        "given_name": "Amina",
        "family_name": "Odhiambo",
        "gender": "female",
        "nationality": country("KEN"),
        "email": "amina.odhiambo@example.org",
        "phone": "",
        "current_position": "Prosecutor",
        "employer": "ODPP",
        "sector": "prosecution",
        "years_experience": 15,
        "summary": "",
        "available_from": None,
        "available_until": None,
        "days_per_year": 20,
        "remote": True,
        "on_site": False,
    }
    fields.update(overrides)
    return ExpertProfile(
        fields=fields,
        languages=[LanguageSkill("en", 7), LanguageSkill("fr", 4)],
        expertise=[ArticleExpertise(46, 3), ArticleExpertise(48, 2)],
        employment=[
            {"employer": "ODPP", "position": "Prosecutor", "start_year": 2010, "end_year": None, "description": ""}
        ],
        education=[{"institution": "University of Nairobi", "degree": "LL.B.", "field_of_study": "", "year": 2008}],
        assistance_type_ids=[],
        countries_worked_in_ids=["UGA"],
    )


def cv_pdf_bytes(text: str = "Curriculum vitae") -> bytes:
    """A small, valid one-page PDF (cross-reference offsets computed, so readers open it)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def cv_docx_bytes() -> bytes:
    """A minimal WordprocessingML package with the parts Word needs to open it."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Curriculum vitae</w:t></w:r></w:p></w:body>'
            "</w:document>",
        )
    return buffer.getvalue()


def cv_odt_bytes() -> bytes:
    """A minimal OpenDocument text: the uncompressed `mimetype` entry first, as the format requires."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
            'office:version="1.2"><office:body><office:text><text:p>Curriculum vitae</text:p></office:text>'
            "</office:body></office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


# --- needs factories (needs issue) ---


class NeedFactory(DjangoModelFactory):
    """A need of State A (KEN) citing article 46 in English; pass articles=[...], working_languages=[...]."""

    class Meta:
        model = "needs.Need"
        skip_postgeneration_save = True

    requesting_state = factory.LazyFunction(lambda: country("KEN"))
    assistance_type_id = "legal_advice"
    title = factory.Sequence(lambda n: f"Assistance on mutual legal assistance requests no. {n}")
    description = "Drafting of a central authority's procedures."
    priority = "medium"
    source = "review_report"
    source_reference = "CAC/COSP/IRG/I/1/1/Add.1, para. 42"
    review_cycle = 1

    @factory.post_generation
    def articles(obj, create, extracted, **kwargs):
        if create:
            obj.articles.set(extracted if extracted is not None else [46])

    @factory.post_generation
    def working_languages(obj, create, extracted, **kwargs):
        if create:
            obj.working_languages.set(extracted if extracted is not None else ["en"])


class ShortlistEntryFactory(DjangoModelFactory):
    """A proposed entry on a need's shortlist; positions follow creation order."""

    class Meta:
        model = "matching.ShortlistEntry"

    need = factory.SubFactory(NeedFactory)
    expert = factory.SubFactory(ExpertFactory)
    position = factory.Sequence(lambda n: n + 1)


def nomination_form_data(**overrides) -> dict:
    """What the nominate page posts for a complete draft: profile, languages, expertise, one post."""
    data = {
        "profile-given_name": "José",
        "profile-family_name": "Ramírez",
        "profile-gender": "male",
        "profile-nationality": "KEN",
        "profile-email": "jose.ramirez@example.org",
        "profile-sector": "judiciary",
        "profile-years_experience": "20",
        "profile-days_per_year": "10",
        "profile-on_site": "on",
        "profile-assistance_types": [],
        "profile-countries_worked_in": ["UGA", "TZA"],
        "languages-TOTAL_FORMS": "3",
        "languages-INITIAL_FORMS": "0",
        "languages-0-language": "es",
        "languages-0-level": "7",
        "languages-1-language": "en",
        "languages-1-level": "5",
        # The expertise checklist: the ticked articles, and a level for each.
        "expertise-articles": ["15", "16", "46"],
        "expertise-level-15": "3",
        "expertise-level-16": "2",
        "expertise-level-46": "1",
        "employment-TOTAL_FORMS": "2",
        "employment-INITIAL_FORMS": "0",
        "employment-0-employer": "Supreme Court",
        "employment-0-position": "Judge",
        "employment-0-start_year": "2012",
        "education-TOTAL_FORMS": "2",
        "education-INITIAL_FORMS": "0",
        "action": "draft",
    }
    data.update(overrides)
    return data


# What the need form posts for a complete need of two articles in two working languages.
NEED_FORM = {
    "title": "Protection of reporting persons",
    "articles": ["32", "33"],
    "assistance_type": "legal_advice",
    "working_languages": ["fr", "en"],
    "priority": "high",
    "description": "Draft a whistle-blower law.",
    "source": "review_report",
    "source_reference": "CAC/COSP/IRG/I/1/1/Add.7, para. 12",
    "review_cycle": "1",
    "remote": "on",
    "on_site": "on",
    "desired_from": "",
    "desired_until": "",
}


def expert_import_row(i: int, **overrides: str) -> dict[str, str]:
    """Row i of an import_experts file that imports cleanly: an expert of State A, consented."""
    row = {
        "external_id": f"KEN-{i:05d}",
        "given_name": f"Given{i}",
        "family_name": f"Family{i}",
        "gender": "female",
        "nationality": "KEN",
        "nominating_state": "KEN",
        "email": f"expert{i}@import.example.org",
        "phone": "+254 700 000 000",
        "current_position": "Investigator",
        "employer": "Ethics and Anti-Corruption Commission",
        "sector": "anti_corruption_body",
        "years_experience": "10",
        "languages": "en:C2;fr:B2;sw:N",
        "articles": "46:3;48:2",
        "assistance_types": "legal_advice;capacity_building",
        "available_from": "2026-01-01",
        "available_until": "2027-12-31",
        "days_per_year": "40",
        "remote": "true",
        "on_site": "no",
        "consent_date": "2026-02-01",
    }
    row.update(overrides)
    return row
