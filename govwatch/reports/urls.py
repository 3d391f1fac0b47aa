from django.urls import path

from . import rectification, views

app_name = "reports"

urlpatterns = [
    path("", views.kpi, name="kpi"),
    path("kpi.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("kpi.xlsx", views.export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("rectification/", rectification.assessment, name="rectification"),
]
