from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "govwatch.api"
    label = "api"
    verbose_name = "接口"
