from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "openipt.access"
    label = "access"
    verbose_name = "Access rules and emergency (break-glass) access"
