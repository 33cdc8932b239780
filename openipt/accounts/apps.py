from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openipt.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Signal receivers (sign-in, sign-out, MFA, password events) and the system checks.
        from . import checks, events  # noqa: F401
