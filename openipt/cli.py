"""The `openipt` console script: OpenIPT's own commands plus every manage.py command.

`openipt serve` runs the production server (gunicorn); anything else is handed to Django's
command runner, so `openipt migrate`, `openipt demo`, `openipt score phq9 ...` all work.
"""

from __future__ import annotations

import os
import sys

ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def serve(argv: list[str]) -> None:
    port = os.environ.get("PORT", "8000")
    bind = os.environ.get("OPENIPT_BIND", f"127.0.0.1:{port}")
    workers = os.environ.get("OPENIPT_WORKERS", "2")
    threads = os.environ.get("OPENIPT_THREADS", "4")
    args = [
        "gunicorn",
        "openipt.wsgi:application",
        "--bind",
        bind,
        "--workers",
        workers,
        "--threads",
        threads,
        "--access-logfile",
        "-",
        # The path without its query string: a search (/clients/?q=…) would put a name in the log.
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        # gunicorn's run-time control socket would sit in ~/.gunicorn, shared by every server of
        # the same user; OpenIPT is managed by its process manager, so it is off.
        "--no-control-socket",
        *argv,
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *args])  # noqa: S606


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openipt.settings")
    if len(argv) > 1 and argv[1] == "serve":
        serve(argv[2:])
        return
    from django.core.management import execute_from_command_line

    argv[0] = "openipt"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
