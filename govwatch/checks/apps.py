from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "govwatch.checks"
    verbose_name = "评价数据核查"
