"""The public page of published typical cases (通报曝光): no sign-in."""

from django.urls import path

from . import views

app_name = "exposure"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("<int:pk>/", views.public_detail, name="detail"),
]
