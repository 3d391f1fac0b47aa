from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govwatch.catalog"
    verbose_name = "事项目录"
