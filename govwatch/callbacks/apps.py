from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "govwatch.callbacks"
    verbose_name = "回访抽查"
