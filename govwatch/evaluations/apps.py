from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "govwatch.evaluations"
    verbose_name = "好差评"
