from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "govwatch.figures"
    verbose_name = "预计算指标"

    def ready(self) -> None:
        # Keeping the catalog's counts per unit: the signals of item saves and deletes.
        from . import catalog  # noqa: F401
