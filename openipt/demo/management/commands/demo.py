from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openipt.accounts.models import Organisation
from openipt.demo.builder import DemoBuilder, logins_file, write_logins
from openipt.demo.scale import ScaleBuilder, ScaleResult

SCALE_HELP = (
    "Instead of the demo clinic, generate a synthetic programme of N fictional clients (bulk-inserted, "
    "for benchmarks), with sign-in accounts alice, dave, bob and erin (and charlie in a second "
    "organisation, from 7,500 clients); their passwords come from OPENIPT_DEMO_PASSWORD, as in the demo."
)


def scale_count(value: object) -> int:
    """N from `--scale N`: a whole number, 1 or more (thousands separators allowed: 10_000, 10,000)."""
    text = str(value).strip().replace(",", "").replace("_", "")
    if not text.isdigit() or int(text) < 1:
        raise CommandError(
            f"--scale takes the number of clients to generate, a whole number of 1 or more (e.g. "
            f"--scale 10000), not {str(value)[:20]!r}."
        )
    return int(text)


class Command(BaseCommand):
    help = "Load the fictional demo clinic (Northside and Riverside) and print its logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--first-run", action="store_true", help="Do nothing if the database already has organisations."
        )
        parser.add_argument("--scale", metavar="N", help=SCALE_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        scale = scale_count(options["scale"]) if options.get("scale") is not None else None
        if Organisation.objects.exists():
            if options["first_run"]:
                path = logins_file()
                hint = f" Demo logins were written to {path}." if path.exists() else ""
                self.stdout.write(
                    f"The database already holds data; the demo clinic was not loaded again.{hint}"
                )
                return
            what = "the scaled programme" if scale else "the demo"
            raise CommandError(
                f"The database already holds organisations; {what} loads only into an empty one."
            )
        if scale is not None:
            self.scale(scale)
            return
        builder = DemoBuilder(today=timezone.localdate())
        builder.build()
        self.stdout.write(self.style.SUCCESS("Demo clinic loaded (all people in it are fictional)."))
        self.print_logins(builder.logins)

    def scale(self, n: int) -> None:
        def progress(result: ScaleResult) -> None:
            self.stderr.write(
                f"  {result.clients:,} / {n:,} clients, {result.rows:,} rows, "
                f"{result.rows_per_second:,.0f} rows/s"
            )

        result = ScaleBuilder(n, today=timezone.localdate()).build(progress if n >= 5_000 else None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Scaled programme loaded (all people in it are fictional) in {result.seconds:.1f} s:"
            )
        )
        self.stdout.write(
            f"  {result.organisations:,} organisations, {result.teams:,} teams, "
            f"{result.clinicians:,} clinicians, {result.clients:,} clients"
        )
        self.stdout.write(f"  {result.rows:,} rows, {result.rows_per_second:,.0f} rows/s")
        self.print_logins(result.logins)

    def print_logins(self, logins: list[tuple[str, str, str, str]]) -> None:
        path = write_logins(logins)
        self.stdout.write("Logins (username / password / role / organisation):")
        for username, password, role, org in logins:
            self.stdout.write(f"  {username:8} {password:20} {role:11} {org}")
        self.stdout.write(f"These are also in {path} (readable only by you).")
