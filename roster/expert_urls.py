"""Pages for the expert themself, reached from the one-time link in their mail; no sign-in is involved."""

from django.urls import path

from roster import expert_views

app_name = "expert_self"
urlpatterns = [
    path("link/", expert_views.link_request, name="link_request"),
    path("link/sent/", expert_views.link_sent, name="link_sent"),
    path("confirm/<str:token>/", expert_views.confirm, name="confirm"),
    path("profile/", expert_views.profile, name="profile"),
    path("profile/consent/", expert_views.consent_give, name="consent_give"),
    path("profile/refuse/", expert_views.consent_refuse, name="consent_refuse"),
    path("profile/export/", expert_views.data_export, name="data_export"),
    path("profile/erase/", expert_views.erase, name="erase"),
    path("done/", expert_views.done, name="done"),
    path("erased/", expert_views.erased, name="erased"),
]
