from django.apps import AppConfig


class RegulationConfig(AppConfig):
    name = "govwatch.regulation"
    verbose_name = "互联网+监管"
