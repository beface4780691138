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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import OneTimeToken
from accounts.throttles import mail_link_allowed, password_reset_window
from accounts.tokens import Purpose, TokenProblem, TokenRefused, token_recheck, token_use
from portal.access import EXPERT_SESSION_KEY, expert_link_required, public
from portal.client_ip import client_ip
from portal.responses import RedirectThen
from reference.names import InLanguage
from roster.consent import (
    confirmation_link_use,
    confirmation_token_check,
    consent_text_template,
    expert_consent_give,
    expert_consent_refuse,
    expert_fresh_link_request,
)
from roster.models import Expert
from roster.personal_data import expert_data_export, expert_erase, readable_export


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


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        max_length=254,
        help_text=gettext_lazy("The address at which the secretariat or your focal point wrote to you."),
    )


class DataExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("json", "JSON"), ("html", "HTML")], initial="json")


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
        "languages": expert.languages.select_related("language").order_by("-level", InLanguage("language__rank")),
        "expertise": expert.expertise.select_related("article", "article__chapter").order_by("article_id"),
        "assistance_types": expert.assistance_types.order_by("position"),
        "countries_worked_in": expert.countries_worked_in.all(),
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
    withdrawn = expert.has_consent
    with transaction.atomic():
        expert_consent_refuse(expert=expert)
        confirmation_link_use(expert=expert, token=link)
    _session_end(request)
    if withdrawn:
        messages.success(
            request,
            _(
                "Your consent is withdrawn: you will not be proposed for any assignment from now on. "
                "You may still ask for erasure."
            ),
        )
    else:
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
    form = DataExportForm(request.POST)
    as_html = form.is_valid() and form.cleaned_data["format"] == "html"
    data = expert_data_export(expert=expert)
    if as_html:
        # A page to read and print, opened in the browser; the JSON file is the one for machines.
        return render(request, "roster/expert_self/my_data.html", {"sections": readable_export(data), "expert": expert})
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
@require_http_methods(["GET", "HEAD", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    """An expert asks for a new link by e-mail address; the answer is the same whether the address is known or not.

    The lookup and the mail happen after the response is sent, so that its timing tells nothing either.
    """
    form = LinkRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if mail_link_allowed(kind="expert", email=email, client=client_ip(request)):
            return RedirectThen(reverse("expert_self:link_sent"), then=lambda: expert_fresh_link_request(email=email))
        minutes = int(password_reset_window().total_seconds() // 60)
        form.add_error(
            None,
            _("Too many requests for a link for this address or from this device. Wait %(minutes)d minutes.")
            % {"minutes": minutes},
        )
        return render(request, "roster/expert_self/link_request.html", {"form": form}, status=429)
    return render(request, "roster/expert_self/link_request.html", {"form": form})


@public
@require_GET
def link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "roster/expert_self/link_sent.html")


@public
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    return render(request, "roster/expert_self/done.html")


@public
@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "roster/expert_self/erased.html")
