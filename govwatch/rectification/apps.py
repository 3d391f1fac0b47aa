from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "govwatch.rectification"
    verbose_name = "整改清单"

    def ready(self) -> None:
        from . import watching

        watching.register()
