"""The load benchmark: the real server (gunicorn, as `openipt serve` runs it) under wrk.

Run by benchmarks/load/run.sh, once per database, with OPENIPT_VAR_DIR pointing at an empty
temporary folder and, for PostgreSQL, DATABASE_URL at an empty throwaway database:

    python benchmarks/load/bench.py sqlite|postgres

It migrates, builds the dataset (`dataset_command`, the one place that says how), starts gunicorn
on loopback with benchmarks.bench_settings (OpenIPT's settings plus the floor view
`/bench/floor/`), signs in alice (clinician) and bob (supervisor) with a real POST to the sign-in
page, and drives each core request with wrk for a bounded time: the floor first, the five core
requests, the floor again. It prints a Markdown table and writes it to
benchmarks/results/load-<database>-<clients>-clients-<date>.md.

Settings (environment): BENCH_CLIENTS (2000), BENCH_SECONDS (10), BENCH_WARMUP (3),
BENCH_USERS_SQLITE (8), BENCH_USERS_POSTGRES (20), BENCH_WRK_THREADS (2), OPENIPT_WORKERS (2),
OPENIPT_THREADS (4).

Errors per endpoint: wrk's socket errors (connect, read, write, timeout) plus the responses the
server logged with an unexpected status during the measured run (any status but 200 for a page,
any but 302 for the PHQ-9 save, so a signed-out 302 to the sign-in page counts). "database is
locked" is counted from the server's error log.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LUA = Path(__file__).with_name("wrk.lua")
RESULTS = ROOT / "benchmarks" / "results"
PHQ9_NO_RISK = [1, 0, 2, 3, 0, 1, 0, 0, 0]  # total 7, item 9 (self-harm) = 0: no risk alert

# Targets from issue 7, item 4.
TARGET_RATIO = 0.40
TARGET_P95_MS = 150.0


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {raw!r}")


@dataclass
class Endpoint:
    label: str
    user: str  # whose session drives it
    paths: list[str]
    method: str = "GET"
    body: str = ""
    expect: int = 200
    core: bool = True


@dataclass
class Result:
    endpoint: Endpoint
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    socket_errors: int
    status_errors: int
    logged_unexpected: int
    locked: int
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.socket_errors + max(self.status_errors, self.logged_unexpected)


# ---------------------------------------------------------------------------------------------------
# Set-up: environment, database, dataset


def server_env(database: str) -> dict[str, str]:
    env = dict(os.environ)
    if "OPENIPT_VAR_DIR" not in env:
        sys.exit("OPENIPT_VAR_DIR is not set: run benchmarks/load/run.sh (it makes a temporary folder)")
    if database == "postgres" and not env.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is not set: run benchmarks/load/run.sh (it starts a throwaway PostgreSQL)")
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        OPENIPT_INSECURE_HTTP="1",  # plain HTTP on loopback, as `make run`
        OPENIPT_REQUIRE_MFA="0",  # the bench signs in with a password only
        OPENIPT_LOG_LEVEL="WARNING",
    )
    env.pop("OPENIPT_PLAIN_STATIC", None)  # production static files (collectstatic), as `make run`
    env.setdefault("OPENIPT_DEMO_PASSWORD", "bench-" + secrets.token_urlsafe(12))
    return env


def openipt(env: dict[str, str], *args: str, capture: bool = False) -> str:
    cmd = [sys.executable, "-m", "openipt.cli", *args]
    done = subprocess.run(cmd, env=env, cwd=ROOT, check=False, capture_output=capture, text=True)
    if done.returncode != 0:
        if capture:
            sys.stderr.write(done.stdout + done.stderr)
        sys.exit(f"`openipt {' '.join(args)}` failed (exit {done.returncode})")
    return done.stdout if capture else ""


def dataset_command(env: dict[str, str], clients: int) -> list[str]:
    """How the dataset is built: the one place to change it.

    `openipt demo --scale N` (issue 7 item 1) when the demo command has it; until then the
    ordinary demo clinic (same staff logins), whatever BENCH_CLIENTS says.
    """
    if "--scale" in openipt(env, "demo", "--help", capture=True):
        return ["demo", "--scale", str(clients)]
    print(f"note: `openipt demo` has no --scale yet; benchmarking the ordinary demo clinic, not {clients:,}")
    return ["demo"]


def prepare(env: dict[str, str], clients: int) -> float | None:
    """Build the dataset and return how long it took; None when BENCH_DATABASE_URL names a
    database built earlier, which is measured as it is."""
    openipt(env, "migrate", "--noinput", "--verbosity", "0")
    openipt(env, "collectstatic", "--noinput", "--verbosity", "0")
    if env.get("BENCH_DATABASE_URL"):
        return None
    start = time.perf_counter()
    openipt(env, *dataset_command(env, clients), capture=True)
    return time.perf_counter() - start


@dataclass
class Targets:
    clients: list[int]
    sessions: list[int]
    counts: dict[str, int]


def pick_targets(env: dict[str, str]) -> Targets:
    """Ids of alice's team's clients and their sessions, and the dataset's size, from the database."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    from openipt.access.rules import visible_clients
    from openipt.accounts.models import User
    from openipt.clients.models import Client
    from openipt.courses.models import Course, Session
    from openipt.measures.models import Response

    alice = User.objects.get(username="alice")
    clients = list(visible_clients(alice).order_by("?").values_list("pk", flat=True)[:500])
    sessions = list(
        Session.objects.filter(course__client__in=clients).order_by("?").values_list("pk", flat=True)[:1000]
    )
    if not clients or not sessions:
        sys.exit("alice's team has no clients or no sessions in this dataset: nothing to benchmark")
    counts = {
        "clients": Client.objects.count(),
        "courses": Course.objects.count(),
        "sessions": Session.objects.count(),
        "scores": Response.objects.count(),
        "staff": User.objects.exclude(role="client").count(),
    }
    connections.close_all()
    return Targets(clients, sessions, counts)


# ---------------------------------------------------------------------------------------------------
# The server and signing in


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], port: int, logdir: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.access_log = logdir / "access.log"
        self.error_log = logdir / "server.log"
        env = dict(env, PORT=str(port))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "openipt.cli", "serve"],
            env=env,
            cwd=ROOT,
            stdout=self.access_log.open("wb"),
            stderr=self.error_log.open("wb"),
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/accounts/login/", timeout=2).read()  # noqa: S310
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    sys.exit(f"gunicorn did not start; its log:\n{self.error_log.read_text()[-3000:]}")
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def offsets(self) -> tuple[int, int]:
        return self.access_log.stat().st_size, self.error_log.stat().st_size

    def logged_since(self, offsets: tuple[int, int]) -> tuple[list[str], str]:
        with self.access_log.open("rb") as fh:
            fh.seek(offsets[0])
            access = fh.read().decode(errors="replace").splitlines()
        with self.error_log.open("rb") as fh:
            fh.seek(offsets[1])
            errors = fh.read().decode(errors="replace")
        return access, errors


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Login:
    cookie: str
    csrf: str


def sign_in(base: str, username: str, password: str, csrf_page: str) -> Login:
    """A real sign-in: GET the form, POST it with its CSRF token, keep the cookies."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token is None:
        sys.exit("the sign-in page has no CSRF token")
    data = urllib.parse.urlencode(
        {"login": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    login_url = base + "/accounts/login/"
    request = urllib.request.Request(login_url, data=data, headers={"Referer": base + "/"})  # noqa: S310
    landed = opener.open(request)
    if "/accounts/login/" in landed.geturl():
        sys.exit(f"could not sign in as {username} (is OPENIPT_DEMO_PASSWORD the demo's password?)")
    # A CSRF token from a page rendered in the signed-in session (Django rotates it on sign-in).
    html = opener.open(base + csrf_page).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token is None:
        sys.exit(f"{csrf_page} shows no form with a CSRF token")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return Login(cookie, token.group(1))


def check(base: str, endpoint: Endpoint, login: Login) -> None:
    """One request by hand before the load, so a wrong set-up fails loudly instead of timing errors."""
    opener = urllib.request.build_opener(NoRedirect)
    headers = {"Cookie": login.cookie}
    data = None
    if endpoint.method == "POST":
        headers.update({"X-CSRFToken": login.csrf, "Content-Type": "application/x-www-form-urlencoded"})
        data = endpoint.body.replace("{uuid}", str(uuid.uuid4())).encode()
    request = urllib.request.Request(base + endpoint.paths[0], data=data, headers=headers)  # noqa: S310
    try:
        status = opener.open(request).status
        location = ""
    except urllib.error.HTTPError as e:
        status, location = e.code, e.headers.get("Location", "")
    if status != endpoint.expect or "/accounts/login/" in location:
        sys.exit(f"{endpoint.label}: {endpoint.method} {endpoint.paths[0]} answered {status} {location}")


# ---------------------------------------------------------------------------------------------------
# Load


def wrk(
    server: Server, endpoint: Endpoint, login: Login, users: int, seconds: int, workdir: Path
) -> dict[str, float]:
    paths_file = workdir / "paths.txt"
    paths_file.write_text("\n".join(endpoint.paths) + "\n")
    env = dict(
        os.environ,
        BENCH_PATHS=str(paths_file),
        BENCH_METHOD=endpoint.method,
        BENCH_COOKIE=login.cookie,
        BENCH_CSRF=login.csrf,
        BENCH_BODY=endpoint.body,
    )
    threads = min(env_int("BENCH_WRK_THREADS", 2), users)
    cmd = ["wrk", "-t", str(threads), "-c", str(users), "-d", f"{seconds}s", "--timeout", "10s"]
    cmd += ["-s", str(LUA), server.base + endpoint.paths[0]]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"wrk failed for {endpoint.label}:\n{done.stdout}\n{done.stderr}")
    return json.loads(line.removeprefix("BENCH_JSON "))


ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+)" (?P<status>\d{3}) ')


def run_endpoint(server: Server, endpoint: Endpoint, login: Login, users: int, workdir: Path) -> Result:
    wrk(server, endpoint, login, users, env_int("BENCH_WARMUP", 3), workdir)
    time.sleep(0.5)  # let the warm-up's last responses reach the log
    offsets = server.offsets()
    stats = wrk(server, endpoint, login, users, env_int("BENCH_SECONDS", 10), workdir)
    time.sleep(0.5)
    access, errors = server.logged_since(offsets)
    statuses: dict[str, int] = {}
    for line in access:
        m = ACCESS_LINE.search(line)
        if m:
            statuses[m["status"]] = statuses.get(m["status"], 0) + 1
    unexpected = sum(n for s, n in statuses.items() if int(s) != endpoint.expect)
    sockets = int(stats["connect"] + stats["read"] + stats["write"] + stats["timeout"])
    return Result(
        endpoint=endpoint,
        rps=stats["requests"] / (stats["duration_us"] / 1e6),
        p50=stats["p50"] / 1000,
        p95=stats["p95"] / 1000,
        p99=stats["p99"] / 1000,
        requests=int(stats["requests"]),
        socket_errors=sockets,
        status_errors=int(stats["status"]),
        logged_unexpected=unexpected,
        locked=errors.count("database is locked"),
        statuses=statuses,
    )


# ---------------------------------------------------------------------------------------------------
# Report


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(x.split()[1])
            for x in Path("/proc/meminfo").read_text().splitlines()
            if x.startswith("MemTotal")
        )
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        mem = "RAM unknown"
    return f"{model}, {os.cpu_count()} cores, {mem}"


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(
    database: str,
    results: list[Result],
    targets: Targets,
    users: int,
    build_seconds: float | None,
    requested_clients: int,
) -> str:
    floors = [r for r in results if not r.endpoint.core]
    floor_rps = sum(r.rps for r in floors) / len(floors)
    c = targets.counts
    now = dt.datetime.now().astimezone()
    lines = [
        f"## Load benchmark — {'PostgreSQL' if database == 'postgres' else 'SQLite'}",
        "",
        f"- Date: {now:%Y-%m-%d %H:%M %Z}; commit: {commit()}",
        f"- Machine: {machine()}",
        f"- Dataset: {c['clients']:,} clients, {c['courses']:,} courses, {c['sessions']:,} sessions, "
        f"{c['scores']:,} scores, {c['staff']:,} staff "
        + (
            f"(BENCH_CLIENTS={requested_clients:,}; built in {build_seconds:.0f} s)"
            if build_seconds is not None
            else "(an existing database, BENCH_DATABASE_URL: built earlier, not timed here)"
        ),
        f"- Load: wrk, {users} concurrent connections, {env_int('BENCH_SECONDS', 10)} s per endpoint "
        f"after a {env_int('BENCH_WARMUP', 3)} s warm-up; gunicorn {os.environ.get('OPENIPT_WORKERS', '2')} "
        f"workers × {os.environ.get('OPENIPT_THREADS', '4')} threads (as `openipt serve`)",
        f"- Floor: mean of the first and last floor runs, {floor_rps:,.0f} requests/s",
        "",
    ]
    if database == "postgres":
        lines.append(
            "Target (issue 7, 100,000 clients, 20 users): every core page ≥ 40 % of the floor's "
            "throughput, p95 < 150 ms, zero errors."
        )
    else:
        lines.append('Target (issue 7, 10,000 clients, 8 users): zero "database is locked" errors.')
    lines += [
        "",
        "| Endpoint | Requests/s | p50 ms | p95 ms | p99 ms | Requests | Errors | Locked | vs floor "
        "| Target met? |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    all_met = True
    for r in results:
        ratio = r.rps / floor_rps if floor_rps else 0.0
        if not r.endpoint.core:
            met = "—"
        elif database == "postgres":
            misses = []
            if ratio < TARGET_RATIO:
                misses.append("throughput")
            if r.p95 >= TARGET_P95_MS:
                misses.append("p95")
            if r.errors:
                misses.append("errors")
            met = "yes" if not misses else "no: " + ", ".join(misses)
        else:
            met = "yes" if r.locked == 0 else "no: database locked"
        if met.startswith("no"):
            all_met = False
        lines.append(
            f"| {r.endpoint.label} | {r.rps:,.1f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | "
            f"{r.requests:,} | {r.errors} | {r.locked} | {ratio:.0%} | {met} |"
        )
    if any(r.errors for r in results):
        lines += ["", "Statuses the server logged, per endpoint (measured runs):"]
        lines += [f"- {r.endpoint.label}: {r.statuses}" for r in results if r.errors]
    scale_note = ""
    if (database == "postgres" and c["clients"] < 100_000) or (
        database == "sqlite" and c["clients"] < 10_000
    ):
        scale_note = " The targets are stated for a larger dataset than this run's; see the dataset line."
    lines += ["", f"All targets met in this run: {'yes' if all_met else 'no'}.{scale_note}", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in ("sqlite", "postgres"):
        sys.exit("usage: bench.py sqlite|postgres")
    database = sys.argv[1]
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk (benchmarks/load/run.sh does it)")
    users = env_int(f"BENCH_USERS_{database.upper()}", 20 if database == "postgres" else 8)
    clients = env_int("BENCH_CLIENTS", 2000)
    env = server_env(database)
    workdir = Path(env["OPENIPT_VAR_DIR"])
    print(f"[{database}] migrating and building the dataset …", flush=True)
    build_seconds = prepare(env, clients)
    targets = pick_targets(env)
    print(f"[{database}] dataset: {targets.counts}", flush=True)

    password = env["OPENIPT_DEMO_PASSWORD"]
    answers = "&".join(f"phq9-phq9-{n}={v}" for n, v in enumerate(PHQ9_NO_RISK, start=1))
    phq9 = [f"/measures/clients/{pk}/phq9/" for pk in targets.clients]
    endpoints = [
        Endpoint("Floor (first)", "alice", ["/bench/floor/"], core=False),
        Endpoint("Caseload", "alice", ["/"]),
        Endpoint("Client page", "alice", [f"/clients/{pk}/" for pk in targets.clients]),
        Endpoint("Session page", "alice", [f"/sessions/{pk}/" for pk in targets.sessions]),
        Endpoint(
            "Save a PHQ-9",
            "alice",
            phq9,
            method="POST",
            body=f"phq9-response_uuid={{uuid}}&phq9-source=client&{answers}",
            expect=302,
        ),
        Endpoint("Supervisor view", "bob", ["/reports/supervision/"]),
        Endpoint("Floor (last)", "alice", ["/bench/floor/"], core=False),
    ]

    server = Server(env, free_port(), workdir)
    try:
        logins = {u: sign_in(server.base, u, password, "/") for u in ("alice", "bob")}
        for endpoint in endpoints:
            check(server.base, endpoint, logins[endpoint.user])
        results = []
        for endpoint in endpoints:
            print(f"[{database}] {endpoint.label} …", flush=True)
            results.append(run_endpoint(server, endpoint, logins[endpoint.user], users, workdir))
            check(server.base, Endpoint("signed in", endpoint.user, ["/bench/floor/"]), logins[endpoint.user])
    finally:
        server.stop()

    table = report(database, results, targets, users, build_seconds, clients)
    RESULTS.mkdir(exist_ok=True)
    size = targets.counts["clients"]
    out = RESULTS / f"load-{database}-{size}-clients-{dt.datetime.now().astimezone():%Y-%m-%d}.md"
    out.write_text(table)
    # benchmarks/load/run.sh appends the EXPLAIN and profile steps' tables to the same file.
    (workdir / "results-file").write_text(str(out))
    print()
    print(table)
    print(f"(written to {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
