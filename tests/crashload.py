"""A real OpenIPT server under a write load, killed and restarted while it writes (issue 5, item 10).

`tests/test_crash_safety.py` drives this. The server is `openipt serve` (gunicorn, production
settings) on a loopback port, over its own migrated SQLite file in a temporary folder. The load
goes through the forms clinicians use, over HTTP, with the standard library only (urllib and a
cookie jar), and counts a write as acknowledged only when the whole success redirect arrived.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "crash safety horse battery 4711"
REQUEST_TIMEOUT = 30.0  # a stall this long is a failure, not a crash effect
READY_TIMEOUT = 40.0

# Run in a subprocess against the server's database: migrate, then one clinician with one client,
# an active course and its sessions. Prints the ids and the URL paths the load needs.
SEED = """
import json, sys
from datetime import date
import django
django.setup()
from django.core.management import call_command
from django.urls import reverse
call_command("migrate", interactive=False, verbosity=0)
from openipt.accounts.models import Organisation, Role, Team, User
from openipt.clients.actions import create_client
from openipt.courses.actions import start_course
org = Organisation.objects.create(name="Crashfield", slug="crashfield", time_zone="Europe/London")
team = Team.objects.create(organisation=org, name="Load team")
user = User.objects.create_user(
    username="loader", password=sys.argv[1], organisation=org, role=Role.CLINICIAN, first_name="Lo"
)
user.teams.set([team])
client = create_client(
    user, team=team, clinic_identifier="CR-1", given_name="Kim", family_name="Crash", preferred_name="",
    date_of_birth=date(1990, 5, 17), email="", phone="", locale="en-gb",
)
course = start_course(user, client, protocol_key="ipt-standard", start_date=date(2026, 3, 2))
sessions = list(course.sessions.order_by("number").values_list("pk", flat=True))
print(json.dumps({
    "username": user.username,
    "client_id": client.pk,
    "login": reverse("account_login"),
    "phq9": reverse("measures:record-ad-hoc", args=[client.pk, "phq9"]),
    "client_page": reverse("clients:detail", args=[client.pk]),
    "sessions": [
        {"page": reverse("courses:session", args=[pk]), "note": reverse("notes:save", args=[pk]), "id": pk}
        for pk in sessions
    ],
}))
"""


class Unreachable(Exception):
    """The request got no complete answer (refused, reset, cut short, timed out): not acknowledged."""

    def __init__(self, refused: bool) -> None:
        super().__init__("connection refused" if refused else "no complete answer")
        self.refused = refused


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(folder: Path, port: int) -> dict[str, str]:
    """Production settings (openipt.settings) on plain loopback HTTP, everything under `folder`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENIPT_", "DJANGO_"))}
    for name in ("DATABASE_URL", "SECRET_KEY", "PORT", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="openipt.settings",
        OPENIPT_INSECURE_HTTP="1",
        OPENIPT_REQUIRE_MFA="0",
        # Static files from the source tree: collecting and compressing them would add seconds
        # and has nothing to do with writes.
        OPENIPT_PLAIN_STATIC="1",
        OPENIPT_VAR_DIR=str(folder / "var"),
        OPENIPT_SQLITE_PATH=str(folder / "openipt.sqlite3"),
        OPENIPT_LOG_LEVEL="WARNING",
        OPENIPT_WORKERS="2",
        OPENIPT_THREADS="2",
        PORT=str(port),
        PYTHONUNBUFFERED="1",
        # gunicorn's control socket goes to $XDG_RUNTIME_DIR, else ~/.gunicorn/: keep it out of
        # the way of any other server on this machine.
        XDG_RUNTIME_DIR=str(folder / "run"),
    )
    for name in ("run", "var/static"):  # WhiteNoise warns when STATIC_ROOT is missing
        (folder / name).mkdir(parents=True, exist_ok=True)
    return env


def openipt_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("openipt")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "openipt.cli", *args]


def migrate_and_seed(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SEED, PASSWORD],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"migrating and seeding the crash-test database failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


class Server:
    """`openipt serve` in its own process group, so one signal reaches the master and its workers."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.base = f"http://127.0.0.1:{env['PORT']}"
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.start_seconds: list[float] = []
        self.kills = 0

    def start(self, login_path: str) -> None:
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                openipt_command("serve"),
                env=self.env,
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(login_path)
        self.start_seconds.append(time.monotonic() - began)

    def _wait_ready(self, login_path: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + login_path, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server was not ready within {READY_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no shutdown code runs anywhere."""
        self._signal_group(signal.SIGKILL)
        self.kills += 1

    def stop(self) -> None:
        self._signal_group(signal.SIGTERM)

    def _signal_group(self, sig: signal.Signals) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return "(no server log)"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One signed-in clinician: a cookie jar and the CSRF token of the pages it loaded."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.token = ""

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of a complete answer; Unreachable when none arrived."""
        payload = None
        if data is not None:
            payload = urllib.parse.urlencode({"csrfmiddlewaretoken": self.token, **data}).encode()
        req = urllib.request.Request(self.base + path, data=payload)  # noqa: S310
        try:
            try:
                with self.opener.open(req, timeout=REQUEST_TIMEOUT) as response:
                    result = (response.status, response.headers.get("Location", ""), response.read())
            except urllib.error.HTTPError as exc:  # 3xx (redirects are not followed), 4xx, 5xx
                with exc:
                    result = (exc.code, exc.headers.get("Location", ""), exc.read())
        except (OSError, http.client.HTTPException) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise Unreachable(refused=isinstance(reason, ConnectionRefusedError)) from None
        # Flash messages are never displayed here; dropping them keeps them out of the session.
        for cookie in [c for c in self.jar if c.name == "messages"]:
            self.jar.clear(cookie.domain, cookie.path, cookie.name)
        body = result[2].decode("utf-8", "replace")
        found = _CSRF.search(body)
        if found:
            self.token = found.group(1)
        return result[0], result[1], body

    def sign_in(self, login_path: str, username: str, password: str, landing: str) -> None:
        self.request(login_path)
        status, location, _ = self.request(login_path, {"login": username, "password": password})
        if status != 302 or location.startswith(login_path):
            raise RuntimeError(f"signing in as {username} failed (HTTP {status}, Location {location!r})")
        status, _, _ = self.request(landing)  # a fresh CSRF token: the login rotated it
        if status != 200:
            raise RuntimeError(f"{landing} answered HTTP {status} after signing in")


@dataclass
class Tally:
    """What one writer sent and what the server acknowledged."""

    session_id: int
    responses_sent: set[str] = field(default_factory=set)
    # uuid hex -> (item 9 answer, total) of every PHQ-9 the server acknowledged
    responses_acked: dict[str, tuple[int, int]] = field(default_factory=dict)
    note_tokens_sent: list[str] = field(default_factory=list)
    note_tokens_acked: list[str] = field(default_factory=list)
    risk_acked: int = 0  # acknowledged PHQ-9s with item 9 above zero
    refused: int = 0  # sent while the server was down
    cut_off: int = 0  # sent, then the server died before a complete answer
    unexpected: list[str] = field(default_factory=list)


_NOTE_FORM = re.compile(r'<form[^>]*action="(?P<action>[^"]+)".*?</form>', re.S)
_VERSION = re.compile(r'<input type="hidden" name="version"(?: value="(\d*)")?')
UNKNOWN = -1


class Writer(threading.Thread):
    """Alternates a PHQ-9 on the client's ad-hoc measure form with a save of its own session's draft.

    Every note save sends all tokens written so far, so the stored draft must hold every token the
    server acknowledged, whichever later save (acknowledged or not) reached the disk last.
    """

    def __init__(self, number: int, browser: Browser, paths: dict[str, Any], stop: threading.Event) -> None:
        super().__init__(name=f"crash-writer-{number}", daemon=True)
        self.number = number
        self.browser = browser
        self.paths = paths
        self.session = paths["sessions"][number]
        self.stop = stop
        self.rng = random.Random(number)
        self.tally = Tally(session_id=self.session["id"])
        self.version: int | None = None  # None: no draft yet

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            self._phq9(i)
            self._note(i)

    def _post(self, path: str, data: dict[str, str], success: str) -> bool | None:
        """True: acknowledged; False: a complete answer that is not the success redirect; None: no answer."""
        try:
            status, location, _ = self.browser.request(path, data)
        except Unreachable as exc:
            self._unreachable(exc)
            return None
        # a save returns to the section it came from (`#note-h`): the page is what acknowledges it
        if status == 302 and location.split("#")[0] == success:
            return True
        self.tally.unexpected.append(f"POST {path} answered HTTP {status} (Location {location!r})")
        return False

    def _unreachable(self, exc: Unreachable) -> None:
        if exc.refused:
            self.tally.refused += 1
            time.sleep(0.05)  # the server is down or restarting
        else:
            self.tally.cut_off += 1

    def _phq9(self, i: int) -> None:
        rid = uuid.uuid4()
        answers = [self.rng.randint(0, 3) for _ in range(8)]
        item9 = self.rng.randint(1, 3) if i % 3 == 0 else 0  # every third one raises a risk alert
        answers.append(item9)
        data = {"phq9-response_uuid": str(rid), "phq9-source": "client"}
        data.update({f"phq9-phq9-{n}": str(a) for n, a in enumerate(answers, start=1)})
        self.tally.responses_sent.add(rid.hex)
        if self._post(self.paths["phq9"], data, self.paths["client_page"]):
            self.tally.responses_acked[rid.hex] = (item9, sum(answers))
            if item9:
                self.tally.risk_acked += 1

    def _note(self, i: int) -> None:
        if self.version == UNKNOWN and not self._reload_version():
            return
        token = f"w{self.number}-{i}-{uuid.uuid4().hex[:10]}"
        self.tally.note_tokens_sent.append(token)
        data = {"body": "\n".join(self.tally.note_tokens_sent), "save": ""}
        data["version"] = "" if self.version is None else str(self.version)
        acked = self._post(self.session["note"], data, self.session["page"])
        if acked:
            self.tally.note_tokens_acked.append(token)
            self.version = 1 if self.version is None else self.version + 1
        else:
            self.version = UNKNOWN  # it may or may not have been stored: read the page again

    def _reload_version(self) -> bool:
        try:
            status, _, body = self.browser.request(self.session["page"])
        except Unreachable as exc:
            self._unreachable(exc)
            return False
        for form in _NOTE_FORM.finditer(body):
            if form.group("action").split("#")[0] == self.session["note"]:
                found = _VERSION.search(form.group(0))
                if status == 200 and found:
                    self.version = int(found.group(1)) if found.group(1) else None
                    return True
        page = self.session["page"]
        self.tally.unexpected.append(f"GET {page} answered HTTP {status} without the note form")
        return False


@dataclass
class Stored:
    """What the database holds after the run, read with the sqlite3 module."""

    integrity: str
    responses: dict[str, tuple[int, int]]  # uuid hex -> (item 9 answer, number of alerts)
    without_score: list[str]
    wrong_total: list[str]
    without_audit: list[str]
    notes: dict[int, str]  # session id -> body


def read_database(path: Path) -> Stored:
    conn = sqlite3.connect(path)
    try:
        integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        rows = conn.execute(
            """SELECT r.uuid, json_extract(r.answers, '$."phq9-9"'),
                      (SELECT COUNT(*) FROM safety_riskalert a WHERE a.response_id = r.id),
                      s.total, r.answers,
                      (SELECT COUNT(*) FROM audit_auditevent e WHERE e.action = 'response.record'
                          AND e.object_type = 'measures.response' AND e.object_id = CAST(r.id AS TEXT))
               FROM measures_response r LEFT JOIN measures_score s ON s.response_id = r.id"""
        ).fetchall()
        notes = dict(conn.execute("SELECT session_id, body FROM notes_note").fetchall())
    finally:
        conn.close()
    responses, without_score, wrong_total, without_audit = {}, [], [], []
    for rid, item9, alerts, total, answers, audits in rows:
        key = uuid.UUID(rid).hex
        responses[key] = (int(item9 or 0), int(alerts))
        if total is None:
            without_score.append(key)
        elif total != sum(v for k, v in json.loads(answers).items() if k != "phq9-difficulty"):
            wrong_total.append(key)
        if audits != 1:
            without_audit.append(key)
    return Stored(integrity, responses, without_score, wrong_total, without_audit, notes)


def damaged_copy(database: Path, copy: Path) -> Path:
    """A copy of the database missing its first score and its first risk alert: the half-written
    units the checks must see (the copy's immutability triggers are dropped to allow it)."""
    with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    conn = sqlite3.connect(copy)
    try:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("DELETE FROM measures_score WHERE id = (SELECT MIN(id) FROM measures_score)")
        conn.execute("DELETE FROM safety_riskalert WHERE id = (SELECT MIN(id) FROM safety_riskalert)")
        conn.commit()
    finally:
        conn.close()
    return copy


@dataclass
class Run:
    database: Path
    kills: int
    seconds: float
    seed_seconds: float  # migrating and seeding
    start_seconds: list[float]  # each server start until it served the login page
    writers: list[Tally]
    stored: Stored
    audit_verify: subprocess.CompletedProcess[str]
    server_log: str


def _wait_for(condition: Any, seconds: float, what: str, server: Server) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {what} within {seconds:.0f} s:\n{server.log_tail()}")
        time.sleep(0.02)


def run(folder: Path, *, kills: int, seed: int, writers: int = 2) -> Run:
    """Migrate and seed, serve, sign in, write from `writers` threads and SIGKILL the server `kills`
    times at random moments (each after the restarted server acknowledged a write), then read the
    database and run `openipt audit verify`."""
    rng = random.Random(seed)
    started = time.monotonic()
    env = server_env(folder, free_port())
    paths = migrate_and_seed(env)
    seeded = time.monotonic()
    server = Server(env, folder / "server.log")
    stop = threading.Event()
    threads: list[Writer] = []
    try:
        server.start(paths["login"])
        for number in range(writers):
            browser = Browser(server.base)
            browser.sign_in(paths["login"], paths["username"], PASSWORD, paths["phq9"])
            threads.append(Writer(number, browser, paths, stop))
        for thread in threads:
            thread.start()

        def acked() -> int:  # PHQ-9s acknowledged so far, by all writers
            return sum(len(t.tally.responses_acked) for t in threads)

        for _ in range(kills):
            before = acked()
            _wait_for(lambda before=before: acked() >= before + 2, 30, "PHQ-9 after a restart", server)
            time.sleep(rng.uniform(0.0, 0.6))
            server.kill()
            time.sleep(rng.uniform(0.0, 0.2))
            server.start(paths["login"])
        before = acked()

        def enough() -> bool:
            tallies = [t.tally for t in threads]
            return (
                acked() >= before + 4
                and any(t.risk_acked for t in tallies)
                and all(t.note_tokens_acked for t in tallies)
            )

        _wait_for(enough, 30, "PHQ-9s, risk answers and notes after the last restart", server)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=2 * REQUEST_TIMEOUT)
        server.stop()
    database = folder / "openipt.sqlite3"
    stored = read_database(database)
    verify = subprocess.run(
        openipt_command("audit", "verify"),
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(
        database=database,
        kills=server.kills,
        seconds=time.monotonic() - started,
        seed_seconds=seeded - started,
        start_seconds=server.start_seconds,
        writers=[t.tally for t in threads],
        stored=stored,
        audit_verify=verify,
        server_log=server.log_tail(),
    )
