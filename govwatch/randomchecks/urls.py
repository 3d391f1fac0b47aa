from django.urls import path

from . import views

app_name = "randomchecks"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="plan-new"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("targets/<int:pk>/", views.result, name="result"),
]
