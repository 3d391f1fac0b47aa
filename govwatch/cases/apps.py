from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "govwatch.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from govwatch.catalog.signals import promised_days_changed
        from govwatch.workcal.signals import schedule_changed

        from .recompute import on_promised_days_changed, on_schedule_changed

        schedule_changed.connect(on_schedule_changed, dispatch_uid="cases.recompute_provisional")
        promised_days_changed.connect(on_promised_days_changed, dispatch_uid="cases.recompute_open_of_items")
