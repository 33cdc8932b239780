"""`openipt export course <course-id>`: print the whole course as one JSON document."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openipt.audit.actions import record
from openipt.courses.models import Course
from openipt.reports.export import course_document


class Command(BaseCommand):
    help = "Export one course as JSON (the client's copy of their record): openipt export course <course-id>"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["course"])
        parser.add_argument("course_id", help="the course's number (as in its URLs) or its UUID")
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        ident = options["course_id"]
        try:
            lookup: dict[str, Any] = {"pk": int(ident)} if ident.isdigit() else {"uuid": uuid.UUID(ident)}
            course = Course.objects.select_related("client").get(**lookup)
        except (Course.DoesNotExist, ValueError):
            raise CommandError(f"No course {ident!r}: give the course number or UUID.") from None
        document = course_document(course)
        record(None, "course.export", obj=course, client_id=course.client_id)
        self.stdout.write(json.dumps(document, indent=options["indent"] or None, ensure_ascii=False))
