from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govwatch.core"
    verbose_name = "核心"
