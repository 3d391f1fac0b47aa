from django.urls import path

from . import sampling_views, views

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
    # 回访抽查 (the supervisors')
    path("sampling/", sampling_views.plan_list, name="plans"),
    path("sampling/new/", sampling_views.plan_new, name="plan-new"),
    path("sampling/<int:pk>/", sampling_views.plan_detail, name="plan"),
    path("sampling/<int:pk>/draw/", sampling_views.draw, name="plan-draw"),
    path("sampling/<int:pk>/finish/", sampling_views.finish, name="plan-finish"),
    path("sampling/calls/<int:pk>/", sampling_views.call, name="call"),
    path("sampling/calls/<int:pk>/reveal/", sampling_views.reveal, name="call-reveal"),
]
