"""The expert's answer to an availability request: public, opened by the mailed link alone."""

from django.urls import path

from review import views

app_name = "availability"
urlpatterns = [
    path("<int:entry_id>/<str:token>/", views.availability_answer, name="answer"),
]
