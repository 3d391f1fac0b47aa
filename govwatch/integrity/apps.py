from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "govwatch.integrity"
    verbose_name = "廉政风险点"
