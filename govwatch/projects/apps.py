from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "govwatch.projects"
    verbose_name = "重点项目"
