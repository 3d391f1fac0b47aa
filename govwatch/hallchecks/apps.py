from django.apps import AppConfig


class HallchecksConfig(AppConfig):
    name = "govwatch.hallchecks"
    verbose_name = "明察暗访"
