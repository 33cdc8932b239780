from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "openipt.reminders"
    label = "reminders"
    verbose_name = "Reminders"
