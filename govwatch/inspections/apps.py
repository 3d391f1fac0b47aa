from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "govwatch.inspections"
    verbose_name = "专项检查"
