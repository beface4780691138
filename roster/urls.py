from django.urls import path

from roster import views

app_name = "roster"
urlpatterns = [
    path("", views.expert_list_view, name="expert_list"),
    path("new/", views.expert_nominate_view, name="expert_nominate"),
    path("drafts/save/", views.expert_draft_save_view, name="expert_draft_save"),
    path("<int:pk>/", views.expert_detail_view, name="expert_detail"),
    path("<int:pk>/edit/", views.expert_edit_view, name="expert_edit"),
    path("<int:pk>/submit/", views.expert_submit_view, name="expert_submit"),
    path("<int:pk>/confirm/", views.expert_confirm_view, name="expert_confirm"),
    path("<int:pk>/resend-link/", views.expert_resend_link_view, name="expert_resend_link"),
    path("<int:pk>/withdraw/", views.expert_withdraw_view, name="expert_withdraw"),
    path("<int:pk>/cv/", views.expert_cv_view, name="expert_cv"),
]
