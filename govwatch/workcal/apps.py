from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "govwatch.workcal"
    verbose_name = "工作日历"
