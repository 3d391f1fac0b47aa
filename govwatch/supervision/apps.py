from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "govwatch.supervision"
    verbose_name = "电子监察"
