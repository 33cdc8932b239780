from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "openipt.inventory"
    label = "inventory"
    verbose_name = "Interpersonal inventory"
