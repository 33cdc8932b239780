"""The `openipt` console script: `serve` runs gunicorn, everything else is a manage.py command."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openipt import cli

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def execvp(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """Capture the exec instead of replacing the test process with gunicorn."""
    calls: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(os, "execvp", lambda file, args: calls.append((file, list(args))))
    for name in ("PORT", "OPENIPT_BIND", "OPENIPT_WORKERS", "OPENIPT_THREADS"):
        monkeypatch.delenv(name, raising=False)
    return calls


def test_serve_execs_gunicorn_on_loopback_by_default(execvp: list[tuple[str, list[str]]]) -> None:
    cli.main(["openipt", "serve"])

    assert execvp == [
        (
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "openipt.wsgi:application",
                "--bind",
                "127.0.0.1:8000",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--access-logformat",
                cli.ACCESS_LOG_FORMAT,
                "--no-control-socket",
            ],
        )
    ]
    assert importlib.util.find_spec("gunicorn") is not None


def test_serve_binds_to_the_port_in_port(
    execvp: list[tuple[str, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORT", "9123")
    cli.main(["openipt", "serve"])
    args = execvp[0][1]
    assert args[args.index("--bind") + 1] == "127.0.0.1:9123"


def test_serve_takes_the_bind_workers_and_threads_from_the_environment(
    execvp: list[tuple[str, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("OPENIPT_BIND", "0.0.0.0:8080")
    monkeypatch.setenv("OPENIPT_WORKERS", "8")
    monkeypatch.setenv("OPENIPT_THREADS", "16")
    cli.main(["openipt", "serve"])
    args = execvp[0][1]
    assert args[args.index("--bind") + 1] == "0.0.0.0:8080"
    assert args[args.index("--workers") + 1] == "8"
    assert args[args.index("--threads") + 1] == "16"


def test_serve_passes_extra_arguments_to_gunicorn(execvp: list[tuple[str, list[str]]]) -> None:
    cli.main(["openipt", "serve", "--timeout", "60"])
    assert execvp[0][1][-2:] == ["--timeout", "60"]


def test_serve_reads_sys_argv_when_called_as_a_console_script(
    execvp: list[tuple[str, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/openipt", "serve", "--log-level", "debug"])
    cli.main()
    assert execvp[0][1][-2:] == ["--log-level", "debug"]


def test_other_commands_go_to_django(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["openipt", "check"])
    assert "System check identified no issues" in capsys.readouterr().out


def test_openipt_commands_are_reachable(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["openipt", "score", "gad7", "1", "1", "1", "1", "1", "1", "1"])
    result = json.loads(capsys.readouterr().out)
    assert (result["total"], result["band"]) == (7, "mild")


def test_an_unknown_command_names_openipt_in_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["/some/path/manage.py", "no-such-command"])
    assert excinfo.value.code == 1
    err = capsys.readouterr().err
    assert "Unknown command: 'no-such-command'" in err
    assert "openipt help" in err


def test_the_console_script_runs_as_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update(OPENIPT_VAR_DIR=str(tmp_path), SECRET_KEY="only-for-this-test-" + "x" * 40)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "openipt"), "help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for command in ("demo", "score", "migrate"):
        assert command in done.stdout


def test_the_access_log_never_carries_a_query_string() -> None:
    assert "%(U)s" in cli.ACCESS_LOG_FORMAT  # the path alone
    for with_query in ("%(r)s", "%(q)s", "%({", "%(f)s"):
        assert with_query not in cli.ACCESS_LOG_FORMAT
