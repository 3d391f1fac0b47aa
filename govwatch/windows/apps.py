from django.apps import AppConfig


class WindowsConfig(AppConfig):
    name = "govwatch.windows"
    verbose_name = "窗口服务"
