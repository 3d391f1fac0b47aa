from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "govwatch.accountability"
    verbose_name = "问责与建章立制"
