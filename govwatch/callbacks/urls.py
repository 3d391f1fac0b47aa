from django.urls import path

from . import views

app_name = "callbacks"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("new/", views.plan_new, name="plan-new"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/draw/", views.draw, name="draw"),
    path("<int:pk>/finish/", views.finish, name="finish"),
    path("calls/<int:pk>/", views.call, name="call"),
    path("calls/<int:pk>/reveal/", views.reveal, name="reveal"),
]
