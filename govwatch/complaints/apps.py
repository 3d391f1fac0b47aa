from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govwatch.complaints"
    verbose_name = "投诉"
