from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openipt.audit"
    label = "audit"
    verbose_name = "Audit"
