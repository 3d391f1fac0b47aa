from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "govwatch.public"
    verbose_name = "公众评价"
