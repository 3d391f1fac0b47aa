from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "govwatch.orgs"
    verbose_name = "组织机构"
