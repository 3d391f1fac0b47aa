from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WebConfig(AppConfig):
    name = "govwatch.web"
    verbose_name = "页面"


class GovWatchAdminConfig(admin_apps.AdminConfig):
    # Named in INSTALLED_APPS in place of django.contrib.admin; not the config of govwatch.web.
    default = False
    default_site = "govwatch.web.admin_site.GovWatchAdminSite"
