from django.urls import path

from . import rectification, views

app_name = "reports"

urlpatterns = [
    path("", views.kpi, name="kpi"),
    path("kpi.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("kpi.xlsx", views.export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("rectification/", rectification.assessment, name="rectification"),
]

# The leaders' pages (govwatch.reports.leaders_views).
from . import leaders_views as leaders  # noqa: E402

urlpatterns += [
    path("screen/", leaders.screen, name="screen"),
    path("screen/data.json", leaders.screen_json, name="screen-data"),
    path("screen/<str:code>/", leaders.screen, name="screen-unit"),
    path("screen/<str:code>/data.json", leaders.screen_json, name="screen-unit-data"),
    path("ranking/", leaders.ranking_page, name="ranking"),
    path("ranking.xlsx", leaders.ranking_export, name="ranking-xlsx"),
    path("ranking/weights/", leaders.ranking_weights, name="ranking-weights"),
    path("bulletins/", leaders.bulletin_list, name="bulletins"),
    path("bulletins/new/", leaders.bulletin_new, name="bulletin-new"),
    path("bulletins/<int:pk>/", leaders.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/issue/", leaders.bulletin_issue, name="bulletin-issue"),
    path("bulletins/<int:pk>/file.<str:fmt>", leaders.bulletin_file, name="bulletin-file"),
]
