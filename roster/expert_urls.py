from django.urls import path  # noqa: F401

app_name = "expert_self"
urlpatterns: list = []
