from django.urls import path

from . import views

app_name = "accountability"

urlpatterns = [
    path("", views.record_list, name="record-list"),
    path("new/", views.record_new, name="record-new"),
    path("<int:pk>/", views.record_detail, name="record-detail"),
    path("fixes/", views.fix_list, name="fix-list"),
    path("fixes/new/", views.fix_new, name="fix-new"),
    path("fixes/<int:pk>/", views.fix_detail, name="fix-detail"),
    path("exposure/", views.exposure_list, name="exposure-list"),
    path("exposure/new/", views.exposure_new, name="exposure-new"),
    path("exposure/<int:pk>/", views.exposure_detail, name="exposure-detail"),
    path("exposure/<int:pk>/publish/", views.exposure_publish, name="exposure-publish"),
    path("exposure/<int:pk>/withdraw/", views.exposure_withdraw, name="exposure-withdraw"),
]
