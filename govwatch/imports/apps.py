from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "govwatch.imports"
    verbose_name = "数据导入"
