from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "govwatch.public"
    verbose_name = "公众评价"

    def ready(self) -> None:
        from govwatch.core.alerts import register_alert

        from .alerts import received_not_recorded

        register_alert("public.intake", received_not_recorded)
