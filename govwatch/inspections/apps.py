from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "govwatch.inspections"
    verbose_name = "专项检查"

    def ready(self) -> None:
        from . import watching

        watching.register()
