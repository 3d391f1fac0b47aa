from django.apps import AppConfig


class KiosksConfig(AppConfig):
    name = "govwatch.kiosks"
    verbose_name = "24小时自助服务"

    def ready(self) -> None:
        from . import watching

        watching.register()
