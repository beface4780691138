"""The roster: experts nominated by States, with the parts of the online CV template."""

import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import storages
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import erasure
from reference.models import Article, AssistanceType, Country, Language, LanguageLevel


def private_storage():
    return storages["private"]


def cv_upload_to(instance: "Expert", filename: str) -> str:
    # The stored name is chosen by the server; the uploader's file name is never used on disk.
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"cv/{uuid.uuid4().hex}{suffix}"


def new_cell_key() -> int:
    return secrets.randbelow(256)


# The many-to-many sets are kept with each history row. Kept as a module attribute, as needs does, so that the
# services write one history row per change, with the sets as they stand after it, not one per save and set().
EXPERT_M2M_HISTORY_FIELDS = ["assistance_types", "countries_worked_in", "declared_conflict_states"]
EXPERT_HISTORY = HistoricalRecords(excluded_fields=["cell_key", "name_key"], m2m_fields=EXPERT_M2M_HISTORY_FIELDS)


class Expert(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for validation")
        ACTIVE = "active", _("Active")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REJECTED = "rejected", _("Rejected")
        INACTIVE = "inactive", _("Inactive")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNDISCLOSED = "undisclosed", _("Prefers not to say")

    class Sector(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        JUDICIARY = "judiciary", _("Judiciary")
        PROSECUTION = "prosecution", _("Prosecution")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        FIU = "fiu", _("Financial intelligence unit")
        ANTI_CORRUPTION_BODY = "anti_corruption_body", _("Anti-corruption body")
        AUDIT = "audit", _("Supreme audit institution")
        ACADEMIA = "academia", _("Academia")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        INTERNATIONAL_ORGANIZATION = "international_organization", _("International organization")
        OTHER = "other", _("Other")

    external_id = models.CharField(
        _("external identifier"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Identifier in the nominating State's own records, used by bulk imports."),
    )
    nominating_state = models.ForeignKey(
        Country, verbose_name=_("nominating State"), on_delete=models.PROTECT, related_name="nominated_experts"
    )
    nationality = models.ForeignKey(Country, verbose_name=_("nationality"), on_delete=models.PROTECT, related_name="+")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    # Accent- and case-folded "given family", for finding possible duplicates.
    name_key = models.CharField(max_length=210, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    email = models.EmailField(_("e-mail address"), db_index=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    current_position = models.CharField(_("current post"), max_length=200, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    years_experience = models.PositiveSmallIntegerField(_("years of experience"), default=0)
    summary = models.TextField(_("summary of expertise"), blank=True)

    assistance_types = models.ManyToManyField(
        AssistanceType, verbose_name=_("types of assistance delivered before"), blank=True, related_name="experts"
    )
    countries_worked_in = models.ManyToManyField(
        Country, verbose_name=_("countries worked in"), blank=True, related_name="+"
    )
    declared_conflict_states = models.ManyToManyField(
        Country, verbose_name=_("States with a declared conflict of interest"), blank=True, related_name="+"
    )

    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    days_per_year = models.PositiveSmallIntegerField(_("days available per year"), default=0)
    remote = models.BooleanField(_("available for remote work"), default=True)
    on_site = models.BooleanField(_("available for on-site missions"), default=True)

    cv_file = models.FileField(_("CV"), storage=private_storage, upload_to=cv_upload_to, blank=True, max_length=200)
    cv_original_name = models.CharField(max_length=200, blank=True)
    cv_content_type = models.CharField(max_length=100, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    secretariat_message = models.TextField(_("message from the secretariat"), blank=True)
    # An active expert edited by the State stays visible to matching while the change awaits validation.
    revalidation_pending = models.BooleanField(_("changes awaiting validation"), default=False)

    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_text_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    confirmation_requested_at = models.DateTimeField(null=True, blank=True)
    last_confirmed_at = models.DateTimeField(_("last confirmed"), null=True, blank=True)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    # Optimistic locking: every accepted change increments it; a save over an older one is refused.
    version = models.PositiveIntegerField(default=1)
    # Secret per-expert key for cell-key rounding of published statistics; never shown anywhere.
    cell_key = models.PositiveSmallIntegerField(default=new_cell_key, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = EXPERT_HISTORY

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        indexes = [
            models.Index(fields=["nominating_state", "status"]),
            models.Index(fields=["nominating_state", "family_name", "given_name"]),
            models.Index(fields=["nationality", "name_key"]),
            # The secretariat's list reads the whole roster in this order, a page at a time.
            models.Index(fields=["family_name", "given_name", "id"], name="expert_list_order"),
            # The duplicate check and the admin search compare e-mail addresses case-insensitively
            # (UPPER(email) = UPPER(...)); name search's trigram index on PostgreSQL is in migration 0004.
            models.Index(Upper("email"), name="expert_email_folded"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(years_experience__lte=70), name="expert_years_plausible"),
            models.CheckConstraint(condition=models.Q(days_per_year__lte=366), name="expert_days_per_year_le_366"),
            models.CheckConstraint(condition=models.Q(cell_key__lte=255), name="expert_cell_key_byte"),
            models.CheckConstraint(
                condition=models.Q(available_until__isnull=True)
                | models.Q(available_from__isnull=True)
                | models.Q(available_until__gte=models.F("available_from")),
                name="expert_availability_ordered",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="expert_version_positive"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name as pages show it; an erased expert is named as such, not by the pseudonym left in the row."""
        return gettext("Erased expert") if self.erased_at is not None else f"{self.given_name} {self.family_name}"

    @property
    def list_name(self) -> str:
        """The name as lists sort and show it: family name first."""
        return gettext("Erased expert") if self.erased_at is not None else f"{self.family_name}, {self.given_name}"

    @property
    def has_consent(self) -> bool:
        return self.consent_given_at is not None

    def mail_language(self) -> str:
        """The portal language this expert knows best (the portal's order breaks a tie); the default if none."""
        portal = [code for code, _name in settings.LANGUAGES]
        known = dict(self.languages.filter(language_id__in=portal).values_list("language_id", "level"))
        ranked = sorted(known, key=lambda code: (-known[code], portal.index(code)))
        return ranked[0] if ranked else settings.LANGUAGE_CODE


class ExpertLanguage(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="languages")
    language = models.ForeignKey(Language, verbose_name=_("language"), on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=LanguageLevel.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-level", "language__name"]
        verbose_name = _("language of an expert")
        verbose_name_plural = _("languages of the expert")
        constraints = [
            models.UniqueConstraint(fields=["expert", "language"], name="expert_language_once"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=7), name="expert_language_level_range"),
        ]
        indexes = [models.Index(fields=["language", "level"])]

    def __str__(self) -> str:
        return f"{self.language_id}:{self.get_level_display()}"


class ExpertiseLevel(models.IntegerChoices):
    KNOWLEDGEABLE = 1, _("Knowledgeable")
    EXPERIENCED = 2, _("Experienced")
    EXPERT = 3, _("Expert")


class ExpertArticle(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="expertise")
    article = models.ForeignKey(Article, verbose_name=_("UNCAC article"), on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=ExpertiseLevel.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["article_id"]
        verbose_name = _("expertise in an article")
        verbose_name_plural = _("expertise by UNCAC article")
        constraints = [
            models.UniqueConstraint(fields=["expert", "article"], name="expert_article_once"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3), name="expert_article_level_range"),
        ]
        indexes = [models.Index(fields=["article", "level"])]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.level}"


class Employment(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="employment")
    employer = models.CharField(_("employer"), max_length=200)
    position = models.CharField(_("post"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("from (year)"))
    end_year = models.PositiveSmallIntegerField(_("until (year)"), null=True, blank=True)
    description = models.TextField(_("main duties"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("employment")
        verbose_name_plural = _("employment history")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True) | models.Q(end_year__gte=models.F("start_year")),
                name="employment_years_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}, {self.employer}"


class Education(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="education")
    institution = models.CharField(_("institution"), max_length=200)
    degree = models.CharField(_("degree"), max_length=200)
    field_of_study = models.CharField(_("field of study"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("education")
        verbose_name_plural = _("education")

    def __str__(self) -> str:
        return f"{self.degree}, {self.institution}"


# What a person enters for a post and for a degree, in the CV template, the services and the data export alike.
EMPLOYMENT_FIELDS = ("employer", "position", "start_year", "end_year", "description")
EDUCATION_FIELDS = ("institution", "degree", "field_of_study", "year")


def erased_family_name(pk: int) -> str:
    # A neutral pseudonym keeps lists and audit lines readable without pointing at anyone.
    return f"erased-{pk}"


# What erasing an expert does to each part of the record and its history (portal/erasure.py). The languages,
# articles, assistance types and countries worked in stay with the aggregates: they say nothing that points
# at the person once the name, contacts, posts and degrees are gone.
erasure.register(
    Expert,
    subject="id",
    blank={
        "given_name": "",
        "family_name": erased_family_name,
        "name_key": "",
        "email": "",
        "phone": "",
        "current_position": "",
        "employer": "",
        "summary": "",
        "secretariat_message": "",
        "cv_file": "",
        "cv_original_name": "",
        "cv_content_type": "",
    },
    keep={
        "external_id": "stays so that a State's next spreadsheet import cannot bring the person back unnoticed",
        "consent_text_version": "names a version of the consent text, not the person",
    },
    clear=("declared_conflict_states",),
)
# Every past post and degree goes, with its history: without the person they are worth nothing.
erasure.register(Employment, subject="expert", delete=True)
erasure.register(Education, subject="expert", delete=True)


class RosterVersion(models.Model):
    """One row counting every change to the roster, bumped in the transaction of the change.

    Matching keeps the roster as arrays in each process; before ranking, a process compares the number it built
    them from with this one, so that no app server or worker ranks on a roster another one has since changed.
    """

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="roster_version_single_row")]

    def __str__(self) -> str:
        return str(self.value)


class SearchVectorColumn(SearchVectorField):
    """A tsvector on PostgreSQL; elsewhere a text column that stays empty (SQLite searches the folded text)."""

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class FoldedTextVector(models.Func):
    """to_tsvector('simple', text) on PostgreSQL, NULL elsewhere.

    'simple' rather than a language's stemmer: CVs and summaries come in any of the roster's languages, often
    several in one document, and a word typed by the secretariat must find the word as written. Accents and case
    are folded in Python before the text is stored, so the search is accent-insensitive without `unaccent`.
    """

    output_field = SearchVectorColumn()

    def as_sql(self, compiler, connection, **extra_context):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="to_tsvector('simple'::regconfig, %(expressions)s)", **extra_context
        )


class ExpertSearchText(models.Model):
    """What the secretariat's word search reads of one expert: summary, posts and the CV's text, folded.

    Kept beside the expert rather than on it, so that the roster's own rows (read by every list) stay small and
    the expert's history does not copy a CV's text at each change. The CV's text is personal data like the CV:
    it is in the expert's data export, replaced with the CV and deleted by erasure.
    """

    class CvTextStatus(models.TextChoices):
        NO_CV = "no_cv", _("No CV")
        NOT_READ = "not_read", _("Not read yet")
        READ = "read", _("Text read")
        PARTIAL = "partial", _("Text read in part: the CV is longer than the search keeps")
        NO_TEXT = "no_text", _("No text found: the CV may be a scanned image")
        UNREADABLE = "unreadable", _("The text could not be read")

    expert = models.OneToOneField(Expert, primary_key=True, on_delete=models.CASCADE, related_name="search_text")
    cv_text = models.TextField(blank=True)
    cv_text_status = models.CharField(max_length=12, choices=CvTextStatus.choices, default=CvTextStatus.NO_CV)
    # Summary, current and past posts and CV text, case- and accent-folded, words separated by single spaces.
    content = models.TextField(blank=True)
    vector = models.GeneratedField(
        expression=FoldedTextVector("content"), output_field=SearchVectorColumn(null=True), db_persist=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("searchable text of an expert")

    def __str__(self) -> str:
        return f"{self.expert_id}:{self.cv_text_status}"


# Nothing in it is worth keeping without the person: the row goes with the rest.
erasure.register(ExpertSearchText, subject="expert", delete=True)


class NominationDraft(models.Model):
    """What a focal point has typed into the CV template and not saved yet, kept as they go (issue 12, item 2).

    Saved by static/js/cv-template.js while the person types, without the CV file (a browser never sends it
    without a save). Any focal point of the same State may take it up; the secretariat never sees it. A draft
    for a new nomination names nobody on the roster yet, so it is deleted after ROSTER_DRAFT_KEEP_DAYS; one for
    an existing expert goes with that expert's erasure, and when the form is saved.
    """

    nominating_state = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey(Expert, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The posted fields, each a list of values, as QueryDict.lists() gives them.
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["nominating_state", "updated_at"])]

    def __str__(self) -> str:
        return f"draft {self.pk}"

    @property
    def typed_name(self) -> str:
        names = [self.data.get(f"profile-{name}", [""])[0] for name in ("given_name", "family_name")]
        return " ".join(name for name in names if name).strip()


erasure.register(NominationDraft, subject="expert", delete=True)
