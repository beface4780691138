"""Reference data of the Convention and the United Nations, loaded by migrations, read-only."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal import erasure
from reference.names import InLanguage, Localized


class RegionalGroup(models.TextChoices):
    AFR = "AFR", _("African States")
    APG = "APG", _("Asia-Pacific States")
    EEG = "EEG", _("Eastern European States")
    GRULAC = "GRULAC", _("Latin American and Caribbean States")
    WEOG = "WEOG", _("Western European and other States")


class UncacStatus(models.TextChoices):
    PARTY = "party", _("State party")
    SIGNATORY = "signatory", _("Signatory")
    NONE = "none", _("Not a signatory")


def numbered(number: object, name: str) -> str:
    """A chapter's or an article's name as shown: "III. Criminalization and law enforcement", "15. Bribery…"."""
    return f"{number}. {name}"


class Chapter(Localized, models.Model):
    numeral = models.CharField(_("chapter"), max_length=4, primary_key=True)
    position = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)

    localized_field = "title"

    class Meta:
        ordering = ["position"]
        verbose_name = _("UNCAC chapter")
        verbose_name_plural = _("UNCAC chapters")

    def __str__(self) -> str:
        return numbered(self.numeral, self.display_name)


class Article(Localized, models.Model):
    number = models.PositiveSmallIntegerField(_("article"), primary_key=True)
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(_("title"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)

    localized_field = "title"

    class Meta:
        ordering = ["number"]
        verbose_name = _("UNCAC article")
        verbose_name_plural = _("UNCAC articles")
        constraints = [
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=71), name="article_number_1_71")
        ]

    def __str__(self) -> str:
        return numbered(self.number, self.display_name)


class LegalSystem(Localized, models.Model):
    code = models.CharField(max_length=16, primary_key=True)
    name = models.CharField(max_length=64)
    name_fr = models.CharField(max_length=64, blank=True)
    name_es = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("legal system")
        verbose_name_plural = _("legal systems")

    def __str__(self) -> str:
        return self.display_name


class Country(Localized, models.Model):
    iso3 = models.CharField(_("ISO 3166 alpha-3"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=100, blank=True)
    # Each name's place in its language's alphabetical order (reference/names.py), so that the database
    # sorts as a reader of that language expects whatever its own collation.
    rank_en = models.PositiveSmallIntegerField(default=0, editable=False)
    rank_fr = models.PositiveSmallIntegerField(default=0, editable=False)
    rank_es = models.PositiveSmallIntegerField(default=0, editable=False)
    regional_group = models.CharField(_("UN regional group"), max_length=6, choices=RegionalGroup.choices, blank=True)
    is_un_member = models.BooleanField(_("UN member State"), default=True)
    uncac_status = models.CharField(
        _("UNCAC status"), max_length=10, choices=UncacStatus.choices, default=UncacStatus.PARTY
    )
    uncac_status_date = models.DateField(
        _("UNCAC status since"),
        null=True,
        blank=True,
        help_text=_(
            "A party: the day its instrument of ratification, acceptance, approval or accession was deposited. "
            "A signatory: the day it signed."
        ),
    )
    legal_systems = models.ManyToManyField(LegalSystem, blank=True, related_name="countries")
    legal_system_text = models.TextField(_("legal system (World Factbook)"), blank=True)

    class Meta:
        ordering = [InLanguage("rank"), "name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(condition=models.Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_upper"),
            # Only UN members sit in a UN regional group.
            models.CheckConstraint(
                condition=models.Q(is_un_member=True) | models.Q(regional_group=""),
                name="country_group_only_for_members",
            ),
            # A State that has neither signed nor joined has no date to show for it.
            models.CheckConstraint(
                condition=~models.Q(uncac_status=UncacStatus.NONE) | models.Q(uncac_status_date__isnull=True),
                name="country_uncac_date_only_when_signed",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class Language(Localized, models.Model):
    code = models.CharField(_("ISO 639-1"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    name_fr = models.CharField(_("name (French)"), max_length=64, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=64, blank=True)
    is_un_language = models.BooleanField(_("official UN language"), default=False)
    rank_en = models.PositiveSmallIntegerField(default=0, editable=False)
    rank_fr = models.PositiveSmallIntegerField(default=0, editable=False)
    rank_es = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-is_un_language", InLanguage("rank"), "name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.display_name


class LanguageLevel(models.IntegerChoices):
    """The CEFR scale, and native, shared by an expert's languages and a need's minimum level."""

    A1 = 1, "A1"
    A2 = 2, "A2"
    B1 = 3, "B1"
    B2 = 4, "B2"
    C1 = 5, "C1"
    C2 = 6, "C2"
    NATIVE = 7, _("Native")


class AssistanceType(Localized, models.Model):
    code = models.CharField(max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("type of assistance")
        verbose_name_plural = _("types of assistance")

    def __str__(self) -> str:
        return self.display_name


for reference_model in (Chapter, Article, LegalSystem, Country, Language, AssistanceType):
    erasure.exempt(reference_model, reason="public reference data: the Convention, States, languages, forms of help")
