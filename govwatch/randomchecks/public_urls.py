"""The public pages of double-random inspections (一公开): no sign-in."""

from django.urls import path

from . import views

app_name = "random-public"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("<int:pk>/", views.public_detail, name="detail"),
    path("<int:pk>/plan.json", views.public_plan_file, name="plan-file"),
]
