"""`openipt outcomes fit|show`: re-estimate the expected-recovery curves from completed courses."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from openipt.accounts.models import Organisation
from openipt.measures import trajectories
from openipt.measures.tracking import curves_for, fit_for_organisation, latest_set


class Command(BaseCommand):
    help = "Fit (or show) the expected-recovery curves behind the not-on-track flags, per organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("fit", "fit curves from completed courses and store them"),
            ("show", "print the curves in force"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("--org", required=True, help="organisation slug, e.g. northside")
            p.add_argument("--instrument", default="phq9", choices=sorted(trajectories.STRATA))
            if name == "fit":
                p.add_argument("--min-courses", type=int, default=trajectories.DEFAULT_MIN_COURSES)
                p.add_argument("--z", type=float, default=trajectories.DEFAULT_Z)

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {options['org']!r}.")
        instrument = options["instrument"]
        if options["action"] == "fit":
            if options["min_courses"] < 1 or not 0 < options["z"] < 5:
                raise CommandError("--min-courses must be 1 or more and --z between 0 and 5.")
            row, curves, n = fit_for_organisation(
                org.pk,
                instrument,
                now=timezone.now(),
                fitted_by="openipt outcomes fit",
                min_courses=options["min_courses"],
                z=options["z"],
            )
            self.stdout.write(f"{org.name}: {n} completed courses with two or more {instrument} scores.")
            if row is None:
                self.stdout.write(
                    "No stratum had enough courses to fit: nothing was stored, and the curves in force "
                    "are unchanged."
                )
            else:
                self.stdout.write(
                    "Stored: these curves now drive the not-on-track flags "
                    f"(fitted {row.fitted_at:%Y-%m-%d %H:%M} UTC)."
                )
            z = options["z"]
        else:
            org_curves, z = curves_for([org.pk], instrument)[org.pk]
            curves = list(org_curves)
            stored = latest_set(org.pk, instrument)
            if stored is None:
                self.stdout.write(f"{org.name}: the provisional defaults are in force (nothing fitted yet).")
            else:
                self.stdout.write(
                    f"{org.name}: fitted {stored.fitted_at:%Y-%m-%d %H:%M} UTC "
                    f"from {stored.n_courses} completed courses."
                )
        self.stdout.write(
            f"{'stratum':9} {'source':8} {'n':>4} {'intercept':>9} {'slope':>7} {'sd':>5}  "
            f"upper limit at S1/S4/S8/S12 (z={z})"
        )
        for c in curves:
            uppers = "/".join(f"{c.upper(s, z):.1f}" for s in (1, 4, 8, 12))
            self.stdout.write(
                f"{c.stratum.label:9} {c.source:8} {c.n_courses:>4} {c.intercept:>9.2f} {c.slope:>7.2f} "
                f"{c.residual_sd:>5.2f}  {uppers}"
            )
            if c.note:
                self.stdout.write(f"          {c.note}")
