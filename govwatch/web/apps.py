from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WebConfig(AppConfig):
    name = "govwatch.web"
    verbose_name = "页面"


# Set False by the console command before Django's setup for a command that serves no page: it
# reads no ModelAdmin, and importing every app's admin module (and the admin's forms) is a tenth of
# its start-up. The URLconf discovers them itself (govwatch.urls), so whatever serves a page, the
# test client included, still has the whole admin.
DISCOVER_ADMIN = True


class GovWatchAdminConfig(admin_apps.AdminConfig):
    # Named in INSTALLED_APPS in place of django.contrib.admin; not the config of govwatch.web.
    default = False
    default_site = "govwatch.web.admin_site.GovWatchAdminSite"

    def ready(self) -> None:
        if DISCOVER_ADMIN:
            super().ready()
        else:  # the admin's checks only, as SimpleAdminConfig
            admin_apps.SimpleAdminConfig.ready(self)
