from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "govwatch.audit"
    verbose_name = "审计日志"
