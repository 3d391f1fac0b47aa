from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "govwatch.evaluations"
    verbose_name = "好差评"

    def ready(self) -> None:
        from . import watching

        watching.register()
