from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "openipt.reports"
    label = "reports"
    verbose_name = "Reports"
