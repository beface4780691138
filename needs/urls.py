from django.urls import path

from needs import views

app_name = "needs"
urlpatterns = [
    path("", views.need_list_view, name="need_list"),
    path("export.csv", views.need_export, name="need_export"),
    path("new/", views.need_create_view, name="need_create"),
    path("<int:pk>/", views.need_detail, name="need_detail"),
    path("<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("<int:pk>/status/", views.need_status, name="need_status"),
]
