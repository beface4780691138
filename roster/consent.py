"""The expert's own word: a one-time link by e-mail to confirm the profile and give consent.

The link carries a one-time token (accounts.tokens) for the expert: a newer request supersedes older
links, a link stops working once it has been used, and the session it opens ends with it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from accounts.models import OneTimeToken
from accounts.tokens import Purpose, TokenProblem, TokenRefused, token_check, token_issue, token_use
from audit.actions import AuditAction
from audit.services import audit_record
from portal.mail import mail_send
from roster.models import Expert
from roster.roster_version import roster_version_bump

CONSENT_TEXT_VERSION = "2026-1"
LINK_MAX_AGE = timedelta(days=30)
CONFIRMATION_SUBJECT = gettext_lazy("Please confirm your profile on the UNCAC expert roster")
FRESH_LINK_SUBJECT = gettext_lazy("Your link to your profile on the UNCAC expert roster")


def consent_text_template(version: str = CONSENT_TEXT_VERSION) -> str:
    """Each version of the consent text is a template of its own, so the wording an expert agreed to stays on file."""
    return f"roster/expert_self/consent/{version}.html"


@dataclass(frozen=True)
class LinkCheck:
    expert: Expert | None
    token: OneTimeToken | None
    # An unknown token gets a bare 404; only tokens we issued ourselves earn an explanation.
    problem: TokenProblem | None


def confirmation_token_check(*, token: str) -> LinkCheck:
    """Who the token was issued to, or why it no longer opens anything."""
    try:
        row = token_check(token=token, purpose=Purpose.EXPERT_LINK)
    except TokenRefused as refused:
        return LinkCheck(expert=None, token=None, problem=refused.problem)
    expert = Expert.objects.filter(pk=row.subject_id, erased_at__isnull=True).first()
    if expert is None:
        return LinkCheck(expert=None, token=None, problem=TokenProblem.USED)
    return LinkCheck(expert=expert, token=row, problem=None)


def confirmation_request(
    *,
    expert: Expert,
    now: datetime | None = None,
    template: str = "roster/email/confirmation_request.txt",
    subject: Promise = CONFIRMATION_SUBJECT,
) -> None:
    """Ask the expert to confirm the profile: a new link (voiding older ones), mailed once the transaction commits."""
    expert.confirmation_requested_at = now or timezone.now()
    expert.save(update_fields=["confirmation_requested_at"])
    expert_link_send(expert=expert, template=template, subject=subject)


def expert_link_send(*, expert: Expert, template: str, subject: Promise) -> None:
    """Issue a new link to the expert's own pages (voiding older ones) and mail it once the transaction commits."""
    token = token_issue(purpose=Purpose.EXPERT_LINK, subject_id=expert.pk, ttl=LINK_MAX_AGE)
    mail_send(
        to=expert.email,
        language=expert.mail_language(),
        subject=subject,
        template=template,
        context={"expert": expert, "link": settings.SITE_URL + reverse("expert_self:confirm", kwargs={"token": token})},
    )


@transaction.atomic
def expert_fresh_link_request(*, email: str) -> int:
    """The expert asked for a new link to their pages: one is mailed to each profile held under the address.

    The caller answers the same whatever this finds; the count is for the tests and the log, never the page.
    """
    experts = Expert.objects.filter(email__iexact=email.strip(), erased_at__isnull=True).select_related(
        "nominating_state"
    )
    sent = 0
    for expert in experts:
        expert_link_send(expert=expert, template="roster/email/fresh_link.txt", subject=FRESH_LINK_SUBJECT)
        audit_record(actor=None, action=AuditAction.EXPERT_LINK_REQUEST, target=expert, details={"by": "expert"})
        sent += 1
    return sent


def confirmation_link_use(*, expert: Expert, token: OneTimeToken) -> None:
    """The expert's decision uses the link up; merely opening it does not.

    Mail filters that fetch links to scan them would otherwise burn the link before the expert sees it.
    """
    token_use(token=token)
    expert.confirmation_requested_at = None
    expert.save(update_fields=["confirmation_requested_at"])


@transaction.atomic
def expert_consent_give(*, expert: Expert, now: datetime | None = None) -> Expert:
    """The expert confirms the profile as nominated and consents to the current consent text."""
    now = now or timezone.now()
    expert.consent_given_at = now
    expert.consent_text_version = CONSENT_TEXT_VERSION
    expert.last_confirmed_at = now
    expert.save(update_fields=["consent_given_at", "consent_text_version", "last_confirmed_at", "updated_at"])
    roster_version_bump()
    audit_record(
        actor=None,
        action=AuditAction.EXPERT_CONSENT_GIVE,
        target=expert,
        details={"by": "expert", "consent_text_version": CONSENT_TEXT_VERSION},
    )
    return expert


@transaction.atomic
def expert_consent_refuse(*, expert: Expert) -> Expert:
    """No consent, no matching: a refusal (or a withdrawal of earlier consent) takes the expert out of matching."""
    previous_version = expert.consent_text_version
    expert.consent_given_at = None
    expert.consent_text_version = ""
    expert.save(update_fields=["consent_given_at", "consent_text_version", "updated_at"])
    roster_version_bump()
    audit_record(
        actor=None,
        action=AuditAction.EXPERT_CONSENT_REFUSE,
        target=expert,
        details={"by": "expert", "withdrawn_consent_text_version": previous_version},
    )
    return expert
