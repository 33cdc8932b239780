from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "openipt.notes"
    label = "notes"
    verbose_name = "Notes"
