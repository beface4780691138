"""The requesting State rates the assistance from its need's page; the expert rates the assignment from the link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.tokens import TokenRefused
from feedback.forms import RatingForm
from feedback.models import Rating
from feedback.selectors import need_deployments, ratings_by_side
from feedback.services import rating_give_by_expert, rating_give_by_state, rating_link_entry
from portal.access import focal_point_or_secretariat_required, public


@focal_point_or_secretariat_required
@require_http_methods(["GET", "POST"])
def need_deployment_ratings(request: HttpRequest, pk: int) -> HttpResponse:
    need, deployments = need_deployments(user=request.user, need_pk=pk)
    may_rate = request.user.is_focal_point  # of the need's State: need_deployments answered 404 to any other
    posted = request.POST.get("entry", "") if request.method == "POST" else ""
    rows = []
    for entry in deployments:
        rating = ratings_by_side(entry).get(Rating.Rater.STATE)
        form = None
        if may_rate and rating is None:
            form = RatingForm(request.POST if posted == str(entry.pk) else None, prefix=f"deployment-{entry.pk}")
        rows.append({"entry": entry, "rating": rating, "form": form})
    if request.method == "POST":
        row = next((row for row in rows if row["form"] is not None and str(row["entry"].pk) == posted), None)
        if row is None:  # not a focal point of the State, or a deployment already rated or not of this need
            return redirect("feedback:need_deployment_ratings", pk=need.pk)
        form = row["form"]
        if form.is_valid():
            try:
                rating_give_by_state(
                    by=request.user,
                    need=need,
                    entry_id=row["entry"].pk,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you: your State's rating is recorded for the secretariat."))
                return redirect("feedback:need_deployment_ratings", pk=need.pk)
    context = {"need": need, "rows": rows, "sees_ratings": request.user.is_secretariat}
    return render(request, "feedback/need_deployment_ratings.html", context)


@public
@require_http_methods(["GET", "POST"])
def expert_rating(request: HttpRequest, token: str) -> HttpResponse:
    """The expert's page, opened by the mailed link alone; the link is used up when the rating is given."""
    try:
        entry = rating_link_entry(token=token)
    except TokenRefused as refused:
        return render(request, "feedback/rating_link_problem.html", {"problem": refused.problem.value}, status=410)
    form = RatingForm(request.POST or None)
    if form.is_valid():
        try:
            rating_give_by_expert(token=token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except TokenRefused as refused:
            return render(request, "feedback/rating_link_problem.html", {"problem": refused.problem.value}, status=410)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "feedback/expert_rating_done.html", {"entry": entry})
    return render(request, "feedback/expert_rating.html", {"entry": entry, "need": entry.need, "form": form})
