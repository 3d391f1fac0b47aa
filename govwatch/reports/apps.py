from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "govwatch.reports"
    verbose_name = "统计报表"
