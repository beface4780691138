from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("needs/<int:pk>/", views.need_deployment_ratings, name="need_deployment_ratings"),
    path("rate/<str:token>/", views.expert_rating, name="expert_rating"),
]
