from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "govwatch.cases"
