from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govwatch.complaints"
    verbose_name = "投诉"

    def ready(self) -> None:
        from govwatch.workcal.signals import schedule_changed

        from . import watching
        from .recompute import on_schedule_changed

        watching.register()
        schedule_changed.connect(on_schedule_changed, dispatch_uid="complaints.recompute_provisional")
