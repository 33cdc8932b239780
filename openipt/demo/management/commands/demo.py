from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openipt.accounts.models import Organisation
from openipt.demo.builder import DemoBuilder, logins_file, write_logins


class Command(BaseCommand):
    help = "Load the fictional demo clinic (Northside and Riverside) and print its logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--first-run", action="store_true", help="Do nothing if the database already has organisations."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Organisation.objects.exists():
            if options["first_run"]:
                path = logins_file()
                hint = f" Demo logins were written to {path}." if path.exists() else ""
                self.stdout.write(
                    f"The database already holds data; the demo clinic was not loaded again.{hint}"
                )
                return
            raise CommandError(
                "The database already holds organisations; the demo loads only into an empty one."
            )
        builder = DemoBuilder(today=timezone.localdate())
        builder.build()
        path = write_logins(builder.logins)
        self.stdout.write(self.style.SUCCESS("Demo clinic loaded (all people in it are fictional)."))
        self.stdout.write("Logins (username / password / role / organisation):")
        for username, password, role, org in builder.logins:
            self.stdout.write(f"  {username:8} {password:20} {role:11} {org}")
        self.stdout.write(f"These are also in {path} (readable only by you).")
