from django.apps import AppConfig


class CluesConfig(AppConfig):
    name = "govwatch.clues"
    verbose_name = "问题线索"
