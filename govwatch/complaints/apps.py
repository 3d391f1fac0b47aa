from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govwatch.complaints"
    verbose_name = "投诉"

    def ready(self) -> None:
        from . import watching

        watching.register()
