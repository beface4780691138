from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import InvitationAwarePasswordResetForm, LoginForm
from portal.access import focal_point_or_secretariat_required, public

urlpatterns = [
    path(
        "login/",
        public(auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password/change/",
        focal_point_or_secretariat_required(views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/change/done/",
        focal_point_or_secretariat_required(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        public(views.PasswordResetView.as_view(form_class=InvitationAwarePasswordResetForm)),
        name="password_reset",
    ),
    path("password/reset/done/", public(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", public(views.PasswordResetConfirmView.as_view()), name="password_reset_confirm"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path("reset/done/", public(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]
