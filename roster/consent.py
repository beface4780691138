"""The expert's own word: a one-time link by e-mail to confirm the profile and give consent.

The link carries a signed token bound to the expert and to the moment the request was made, so a
newer request voids older links, and a link stops working once it has been used.
"""

import enum
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from roster.models import Expert

CONSENT_TEXT_VERSION = "2026-1"
TOKEN_SALT = "roster.expert-confirmation"  # noqa: S105 (a signing namespace, not a secret)
TOKEN_MAX_AGE_SECONDS = 30 * 24 * 3600


def consent_text_template(version: str = CONSENT_TEXT_VERSION) -> str:
    """Each version of the consent text is a template of its own, so the wording an expert agreed to stays on file."""
    return f"roster/expert_self/consent/{version}.html"


class LinkProblem(enum.Enum):
    # A forged token gets a bare 404; only tokens we signed ourselves earn an explanation.
    FORGED = "forged"
    EXPIRED = "expired"
    USED = "used"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class LinkCheck:
    expert: Expert | None
    problem: LinkProblem | None
    requested_at: str = ""


def confirmation_token(*, expert: Expert) -> str:
    assert expert.confirmation_requested_at is not None
    return signing.dumps(
        {"e": expert.pk, "t": expert.confirmation_requested_at.isoformat()}, salt=TOKEN_SALT, compress=True
    )


def confirmation_link(*, expert: Expert) -> str:
    return settings.SITE_URL + reverse("expert_self:confirm", kwargs={"token": confirmation_token(expert=expert)})


def confirmation_token_check(*, token: str) -> LinkCheck:
    """Who the token was issued to, or why it no longer opens anything."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        return LinkCheck(expert=None, problem=LinkProblem.EXPIRED)
    except signing.BadSignature:
        return LinkCheck(expert=None, problem=LinkProblem.FORGED)
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), int):
        return LinkCheck(expert=None, problem=LinkProblem.FORGED)
    expert = Expert.objects.filter(pk=payload["e"], erased_at__isnull=True).first()
    if expert is None or expert.confirmation_requested_at is None:
        return LinkCheck(expert=None, problem=LinkProblem.USED)
    if expert.confirmation_requested_at.isoformat() != payload.get("t"):
        return LinkCheck(expert=None, problem=LinkProblem.SUPERSEDED)
    return LinkCheck(expert=expert, problem=None, requested_at=payload["t"])


def confirmation_request(
    *,
    expert: Expert,
    now: datetime | None = None,
    template: str = "roster/email/confirmation_request.txt",
    subject: str | None = None,
) -> None:
    """Issue a new link (voiding older ones) and mail it once the surrounding transaction commits."""
    expert.confirmation_requested_at = now or timezone.now()
    expert.save(update_fields=["confirmation_requested_at"])
    message = render_to_string(template, {"expert": expert, "link": confirmation_link(expert=expert)})
    recipient = expert.email
    subject = subject or _("Please confirm your profile on the UNCAC expert roster")
    transaction.on_commit(
        lambda: send_mail(
            subject=subject,
            message=message,
            from_email=None,
            recipient_list=[recipient],
        )
    )


def confirmation_consume(*, expert: Expert) -> None:
    """A used link is void: clearing the request time makes every token for it invalid."""
    expert.confirmation_requested_at = None
    expert.save(update_fields=["confirmation_requested_at"])


def confirmation_link_use(*, expert: Expert, requested_at: str) -> None:
    """The first thing the expert does from a link uses it up; merely opening it does not.

    Mail filters that fetch links to scan them would otherwise burn the link before the expert sees it.
    """
    current = expert.confirmation_requested_at
    if current is not None and current.isoformat() == requested_at:
        confirmation_consume(expert=expert)


@transaction.atomic
def expert_consent_give(*, expert: Expert, now: datetime | None = None) -> Expert:
    """The expert confirms the profile as nominated and consents to the current consent text."""
    now = now or timezone.now()
    expert.consent_given_at = now
    expert.consent_text_version = CONSENT_TEXT_VERSION
    expert.last_confirmed_at = now
    expert.save(update_fields=["consent_given_at", "consent_text_version", "last_confirmed_at", "updated_at"])
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
    audit_record(
        actor=None,
        action=AuditAction.EXPERT_CONSENT_REFUSE,
        target=expert,
        details={"by": "expert", "withdrawn_consent_text_version": previous_version},
    )
    return expert
