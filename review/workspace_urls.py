"""The review workspace's pages, mounted by portal.admin_site under /secretariat/workspace/ (named admin:<name>)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from review import views

urlpatterns = [
    path("needs/", views.need_list, name="review_need_list"),
    path("needs/<int:need_id>/review/", views.need_review, name="review_need"),
    path("needs/<int:need_id>/review/rank/", views.rank, name="review_rank"),
    path("needs/<int:need_id>/review/add/", views.add, name="review_add"),
    path("needs/<int:need_id>/review/entries/<int:entry_id>/move/", views.move, name="review_move"),
    path("needs/<int:need_id>/review/entries/<int:entry_id>/remove/", views.remove, name="review_remove"),
    path("needs/<int:need_id>/review/entries/<int:entry_id>/status/", views.status, name="review_status"),
    path(
        "needs/<int:need_id>/review/entries/<int:entry_id>/ask/",
        views.availability_request,
        name="review_availability_request",
    ),
    path(
        "needs/<int:need_id>/review/entries/<int:entry_id>/remind/",
        views.availability_remind,
        name="review_availability_remind",
    ),
    path("needs/<int:need_id>/review/pins/", views.pin_set, name="review_pin_set"),
    path("needs/<int:need_id>/review/pins/<int:pin_id>/remove/", views.pin_remove, name="review_pin_remove"),
    path("needs/<int:need_id>/shortlist.csv", views.shortlist_csv, name="review_shortlist_csv"),
    path("needs/<int:need_id>/shortlist/print/", views.shortlist_print, name="review_shortlist_print"),
    path("experts/<int:expert_id>/open/", views.record_open, name="review_record_open"),
]
# Listed on the restricted admin's index page (portal/admin_site.py).
menu = [("review_need_list", _("Review needs: rankings and shortlists"))]
