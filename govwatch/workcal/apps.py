from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "govwatch.workcal"
