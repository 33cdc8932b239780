from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "openipt.safety"
    label = "safety"
    verbose_name = "Safety"
