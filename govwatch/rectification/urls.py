from django.urls import path

from . import views

app_name = "rectification"

urlpatterns = [
    path("", views.index, name="index"),
    path("lists/<str:code>/", views.list_detail, name="list-detail"),
    path("lists/<str:code>/settings/", views.list_settings, name="list-settings"),
    path("lists/<str:code>/export.xlsx", views.list_export, name="list-export"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
    path("problems/<int:pk>/progress/", views.progress, name="problem-progress"),
    path("problems/<int:pk>/submit/", views.submit, name="problem-submit"),
    path("problems/<int:pk>/sign-off/", views.sign_off, name="problem-sign-off"),
    path("problems/<int:pk>/send-back/", views.send_back, name="problem-send-back"),
    path("problems/<int:pk>/look-back/", views.look_back, name="problem-look-back"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
