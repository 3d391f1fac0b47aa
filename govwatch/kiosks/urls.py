from django.urls import path

from . import views

app_name = "kiosks"

urlpatterns = [
    path("", views.kiosk_list, name="list"),
    path("faults/", views.fault_list, name="faults"),
    path("faults/<int:pk>/", views.fault_detail, name="fault-detail"),
    path("faults/<int:pk>/repair/", views.fault_repair, name="fault-repair"),
    path("faults/<int:pk>/reopen/", views.fault_reopen, name="fault-reopen"),
    path("<str:code>/", views.kiosk_detail, name="detail"),
    path("<str:code>/report/", views.fault_report, name="fault-report"),
]
