"""The secretariat's page of deployments and their ratings (mounted under /secretariat/workspace/ behind the
restricted admin's gate, second factor included)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from feedback.models import Rating
from feedback.selectors import deployment_history, rating_links_sent, ratings_by_side
from feedback.services import rating_request_expert

PAGE_SIZE = 50


@require_safe
def deployments(request: HttpRequest) -> HttpResponse:
    found = deployment_history(user=request.user, filters=request.GET)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    sent = rating_links_sent(entries=entries)
    rows = [
        {
            "entry": entry,
            "state_rating": ratings_by_side(entry).get(Rating.Rater.STATE),
            "expert_rating": ratings_by_side(entry).get(Rating.Rater.EXPERT),
            "link_sent": sent.get(entry.pk),
        }
        for entry in entries
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Deployments and ratings"),
        "filter": found,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "feedback/workspace/deployments.html", context)


@require_POST
def rating_request(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        entry = rating_request_expert(by=request.user, entry_id=entry_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("A link to rate the assignment was sent to %(name)s.") % {"name": entry.expert},
        )
    return redirect("admin:feedback_deployments")
