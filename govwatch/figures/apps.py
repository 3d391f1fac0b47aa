from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "govwatch.figures"
    verbose_name = "预计算指标"
