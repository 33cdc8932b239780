from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "openipt.reminders"
    label = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
