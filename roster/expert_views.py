"""The expert's own pages: a one-time link opens them, and this browser session keeps them open while
the link stays valid (not used up, not superseded by a newer one) and for a few hours at most.

No focal point or secretariat login is used here: access comes only from the link and the session it started.
"""

import json
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import OneTimeToken
from accounts.tokens import Purpose, TokenProblem, TokenRefused, token_recheck, token_use
from portal.access import EXPERT_SESSION_KEY, expert_link_required, public
from roster.consent import (
    confirmation_link_use,
    confirmation_token_check,
    consent_text_template,
    expert_consent_give,
    expert_consent_refuse,
)
from roster.models import Expert
from roster.personal_data import expert_data_export, expert_erase


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        label=gettext_lazy(
            "My profile above is correct, and I consent to the processing of my personal data as described."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm your profile and give your consent.")},
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that my personal data will be erased for good and cannot be restored."),
        error_messages={"required": gettext_lazy("Tick the box to confirm that you want your data erased.")},
    )


def _held_session(request: HttpRequest) -> tuple[Expert, OneTimeToken] | None:
    """The expert whose link opened this session and that link, while both hold; otherwise the session ends.

    Whoever holds the session holds the link: it ends when the link is used up or superseded, and after
    EXPERT_SESSION_MAX_HOURS however active it is, so a forgotten browser does not keep a profile open.
    """
    held = request.session.get(EXPERT_SESSION_KEY)
    if not isinstance(held, dict):
        return None
    try:
        token = token_recheck(pk=held.get("token"), purpose=Purpose.EXPERT_LINK)
        opened = datetime.fromisoformat(held.get("opened"))
    except (TokenRefused, TypeError, ValueError):
        token = opened = None
    expert = (
        Expert.objects.select_related("nominating_state", "nationality")
        .filter(pk=token.subject_id, erased_at__isnull=True)
        .first()
        if token is not None and timezone.now() - opened < timedelta(hours=settings.EXPERT_SESSION_MAX_HOURS)
        else None
    )
    if expert is None:
        _session_end(request)
        return None
    return expert, token


def _session_expert(request: HttpRequest) -> tuple[Expert, OneTimeToken]:
    """The expert of this session and its link; 404 for anyone else."""
    held = _held_session(request)
    if held is None:
        raise Http404
    return held


def _session_end(request: HttpRequest) -> None:
    request.session.pop(EXPERT_SESSION_KEY, None)


@public
@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    check = confirmation_token_check(token=token)
    if check.problem is TokenProblem.UNKNOWN:
        raise Http404
    if check.expert is None:
        return render(
            request,
            "roster/expert_self/link_problem.html",
            {"problem": check.problem.value, "session_open": _held_session(request) is not None},
            status=410,
        )
    # A fresh session key, so a session planted before the link was opened cannot ride along.
    request.session.cycle_key()
    request.session[EXPERT_SESSION_KEY] = {"token": check.token.pk, "opened": timezone.now().isoformat()}
    return redirect("expert_self:profile")


def _render_profile(
    request: HttpRequest,
    expert: Expert,
    *,
    consent_form: ConsentForm | None = None,
    erase_form: EraseForm | None = None,
) -> HttpResponse:
    context = {
        "expert": expert,
        "languages": expert.languages.select_related("language").order_by("-level", "language__name"),
        "expertise": expert.expertise.select_related("article", "article__chapter").order_by("article_id"),
        "assistance_types": expert.assistance_types.order_by("position"),
        "countries_worked_in": expert.countries_worked_in.order_by("name"),
        "employment": expert.employment.order_by("-start_year", "pk"),
        "education": expert.education.order_by("-year", "pk"),
        "consent_text_template": consent_text_template(),
        "consent_form": consent_form or ConsentForm(),
        "erase_form": erase_form or EraseForm(),
    }
    return render(request, "roster/expert_self/profile.html", context)


@expert_link_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    expert, _link = _session_expert(request)
    return _render_profile(request, expert)


@expert_link_required
@require_POST
def consent_give(request: HttpRequest) -> HttpResponse:
    expert, link = _session_expert(request)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, expert, consent_form=form)
    with transaction.atomic():
        expert_consent_give(expert=expert)
        confirmation_link_use(expert=expert, token=link)
    _session_end(request)
    messages.success(request, _("Thank you: your profile is confirmed and your consent is recorded."))
    return redirect("expert_self:done")


@expert_link_required
@require_POST
def consent_refuse(request: HttpRequest) -> HttpResponse:
    expert, link = _session_expert(request)
    with transaction.atomic():
        expert_consent_refuse(expert=expert)
        confirmation_link_use(expert=expert, token=link)
    _session_end(request)
    messages.success(
        request,
        _("Your refusal is recorded: you will not be proposed for any assignment. You may still ask for erasure."),
    )
    return redirect("expert_self:done")


@expert_link_required
@require_POST
def data_export(request: HttpRequest) -> HttpResponse:
    # Reading one's own data decides nothing, so it leaves the link open, as opening the profile does.
    expert, _link = _session_expert(request)
    data = expert_data_export(expert=expert)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="uncac-roster-my-data-{expert.pk}.json"'
    return response


@expert_link_required
@require_POST
def erase(request: HttpRequest) -> HttpResponse:
    expert, link = _session_expert(request)
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, expert, erase_form=form)
    with transaction.atomic():
        expert_erase(expert=expert, by=None)
        token_use(token=link)
    _session_end(request)
    return redirect("expert_self:erased")


@public
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    return render(request, "roster/expert_self/done.html")


@public
@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "roster/expert_self/erased.html")
