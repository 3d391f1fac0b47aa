from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "govwatch.projects"
    verbose_name = "重点项目"

    def ready(self) -> None:
        from . import watching

        watching.register()
