from django.urls import path

from . import views

app_name = "checks"

urlpatterns = [
    path("", views.home, name="home"),
    path("findings/", views.finding_list, name="finding-list"),
    path("run/", views.run, name="run"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding-dismiss"),
]
