from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.register, name="register"),
    path("units.json", views.unit_options, name="unit-options"),
    path("dispatch/", views.dispatch_records, name="dispatch"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("<int:pk>/find/", views.find, name="find"),
    path("<int:pk>/send-back/", views.send_back, name="send-back"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/callback/", views.callback, name="callback"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
