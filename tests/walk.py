"""Realistic records and the list of every page, shared by the walk in each language (tests/portal) and the
browser's walk at a phone's width (tests/e2e)."""

import re
from collections.abc import Iterator

from django.contrib import admin
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from roster.models import Expert
from tests.factories import (
    EducationFactory,
    EmploymentFactory,
    ExpertArticleFactory,
    ExpertFactory,
    ExpertLanguageFactory,
    FocalPointFactory,
    NeedFactory,
    country,
)

# Not pages a person reads in the portal's language: machine interfaces (the API's labels follow
# Accept-Language and are tested with the statistics), files, and steps that need a token of their own.
NOT_READ_AS_PAGES = {
    "healthz",
    "logout",
    "set_language",
    "needs:need_export",
    "roster:expert_cv",
    "password_reset_confirm",
    "expert_self:confirm",
}
# The reference tables' own records show every language's name on purpose (English included).
REFERENCE_RECORDS = {"reference"}


def realistic_data_make(cast) -> dict:
    """A French-speaking ministry's focal point with its State's experts and needs, and other States' records
    for the secretariat: languages, articles, assistance types and countries whose names differ by language."""
    for number, user in enumerate(User.objects.all()):
        User.objects.filter(pk=user.pk).update(full_name=f"Officer {number}")
    focal_point = FocalPointFactory(email="pointfocal@justice.example.ma", full_name="Officer M", state=country("MAR"))
    experts = []
    for number, (state, nationality) in enumerate([("MAR", "MAR"), ("MAR", "FRA"), ("DEU", "DEU"), ("CIV", "CIV")]):
        expert = ExpertFactory(
            nominating_state=country(state),
            nationality=country(nationality),
            given_name="Amina",
            family_name=f"Walker-{number}",
            created_by=focal_point if state == "MAR" else cast.secretariat,
        )
        for code, level in (("ar", 7), ("fr", 6), ("en", 4), ("es", 3)):
            ExpertLanguageFactory(expert=expert, language_id=code, level=level)
        for article in (5, 15, 46, 52):
            ExpertArticleFactory(expert=expert, article_id=article, level=2)
        expert.assistance_types.set(["legal_advice", "capacity_building", "onsite_expert"])
        expert.countries_worked_in.set(["TUN", "SEN", "ESP", "DEU"])
        expert.declared_conflict_states.set(["DZA"])
        EmploymentFactory(expert=expert, employer="Cour des comptes", position="Magistrate", description="")
        EducationFactory(expert=expert, institution="Université Mohammed V", field_of_study="Law")
        experts.append(expert)
    needs = [
        NeedFactory(
            requesting_state=country(state),
            title=f"Asset declarations of officials, phase {number}",
            assistance_type_id=kind,
            articles=[5, 6, 52],
            working_languages=["fr", "ar", "es"],
        )
        for number, (state, kind) in enumerate(
            [("MAR", "onsite_expert"), ("MAR", "capacity_building"), ("DEU", "model_legislation")]
        )
    ]
    link_expert = ExpertFactory(
        nominating_state=country("MAR"),
        nationality=country("MAR"),
        given_name="Karim",
        family_name="Walker",
        status=Expert.Status.SUBMITTED,
        consent_given_at=None,
    )
    for code in ("ar", "fr"):
        ExpertLanguageFactory(expert=link_expert, language_id=code, level=7)
    ExpertArticleFactory(expert=link_expert, article_id=17, level=3)
    link_expert.assistance_types.set(["good_practices"])
    link_expert.countries_worked_in.set(["ESP", "SEN"])
    return {"focal_point": focal_point, "expert": experts[0], "need": needs[0], "link_expert": link_expert}


def routes(patterns=None, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == admin.site.name or entry.namespace == "api":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def portal_urls(data) -> list[str]:
    urls = []
    for name, pattern in routes():
        if name in NOT_READ_AS_PAGES:
            continue
        converters = pattern.pattern.converters
        if not converters:
            urls.append(reverse(name))
        elif list(converters) == ["pk"]:
            record = data["expert"] if name.startswith("roster:") else data["need"]
            urls.append(reverse(name, args=[record.pk]))
    return urls


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if opts.app_label in REFERENCE_RECORDS:
            continue
        record = model_admin.get_queryset(_AdminRequest()).first() if hasattr(model_admin, "get_queryset") else None
        if record is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))
    for pattern in admin.site.workspace_urls():
        if not pattern.pattern.converters:
            urls.append(reverse(f"admin:{pattern.name}"))
    return urls


class _AdminRequest:
    """Enough of a request for a ModelAdmin's get_queryset (ordering reads no user)."""

    GET: dict = {}

    class user:
        is_secretariat = True


def expert_link_path() -> str:
    """The path of the one-time link in the last mail sent."""
    return re.search(r"https?://[^/\s]+(/expert/confirm/\S+/)", mail.outbox[-1].body).group(1)
