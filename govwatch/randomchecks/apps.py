from django.apps import AppConfig


class RandomChecksConfig(AppConfig):
    name = "govwatch.randomchecks"
    verbose_name = "双随机、一公开"

    def ready(self) -> None:
        from . import watching

        watching.register()
