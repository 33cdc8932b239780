from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "openipt.ops"
    label = "ops"
    verbose_name = "Operations"
