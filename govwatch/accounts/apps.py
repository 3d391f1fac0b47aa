from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govwatch.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the audit of logins)
