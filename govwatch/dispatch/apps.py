from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "govwatch.dispatch"
    verbose_name = "智能派单"
