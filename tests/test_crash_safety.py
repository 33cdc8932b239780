"""Crash safety (issue 5, item 10): SIGKILL the real server during a write load, lose nothing acknowledged.

The server is `openipt serve` (gunicorn, production settings, SQLite in WAL mode with
synchronous=FULL) over a fresh database in a temporary folder. Two threads sign in over HTTP and
write through the clinicians' forms: PHQ-9s on the ad-hoc measure form (every third one answers
item 9 above zero, so a risk alert must be raised in the same transaction) and note drafts. The
master and its workers are killed together several times at random moments and restarted.

Afterwards every write the server acknowledged (its success redirect arrived in full) must be in
the database, identified exactly: a PHQ-9 by the form's `response_uuid`, a draft by a unique token
in its body. Nothing may be half-written: every response has its score (with the right total),
its audit row and, when item 9 is above zero, its risk alert; `PRAGMA integrity_check` is ok and
`openipt audit verify` finds the hash chain intact.

OPENIPT_CRASH_SEED repeats a run's kill delays (not the scheduler's); the figures print with `pytest -rP`.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from django.conf import settings

from tests import crashload

KILLS = 5


@pytest.fixture
def crash_run(tmp_path: Path) -> crashload.Run:
    if os.environ.get("DATABASE_URL") or settings.DATABASES["default"]["ENGINE"] != "openipt.lib.db.sqlite3":
        pytest.skip("the crash test runs on SQLite only; it would need its own PostgreSQL database")
    seed = int(os.environ.get("OPENIPT_CRASH_SEED") or random.randrange(1_000_000))
    print(f"crash test seed {seed} (replay with OPENIPT_CRASH_SEED={seed})")
    return crashload.run(tmp_path, kills=KILLS, seed=seed)


def test_killing_the_server_loses_no_acknowledged_write_and_leaves_no_half_written_unit(
    crash_run: crashload.Run,
) -> None:
    run, stored = crash_run, crash_run.stored
    acked = {rid: facts for w in run.writers for rid, facts in w.responses_acked.items()}
    sent = set().union(*(w.responses_sent for w in run.writers))
    notes_acked = sum(len(w.note_tokens_acked) for w in run.writers)
    figures = (
        f"{run.kills} kills in {run.seconds:.1f} s (migrate and seed {run.seed_seconds:.1f} s, "
        f"{len(run.start_seconds)} server starts {sum(run.start_seconds):.1f} s); "
        f"PHQ-9: {len(sent)} sent, {len(acked)} acknowledged, "
        f"{len(stored.responses)} stored ({len(set(stored.responses) - set(acked))} stored but never "
        f"acknowledged), {sum(1 for i9, _ in acked.values() if i9)} acknowledged with item 9 > 0; "
        f"note drafts: {notes_acked} acknowledged; {sum(w.cut_off for w in run.writers)} requests cut "
        f"off by a kill, {sum(w.refused for w in run.writers)} refused while the server was down"
    )
    print(figures)

    assert run.kills == KILLS, figures
    assert [m for w in run.writers for m in w.unexpected] == [], f"{figures}\n{run.server_log}"
    assert len(acked) >= 10, f"too little load to show anything: {figures}"
    assert any(i9 for i9, _ in acked.values()), figures

    lost = sorted(set(acked) - set(stored.responses))
    assert lost == [], f"acknowledged PHQ-9s missing from the database: {lost}; {figures}"
    assert set(stored.responses) <= sent, "the database holds PHQ-9s nobody sent"
    for w in run.writers:
        body = stored.notes.get(w.session_id, "").split("\n")
        missing = [token for token in w.note_tokens_acked if token not in body]
        assert missing == [], f"acknowledged draft text lost from session {w.session_id}: {missing}"

    assert stored.without_score == [], f"responses without their score: {stored.without_score}"
    assert stored.wrong_total == [], f"scores that do not add up their response: {stored.wrong_total}"
    assert stored.without_audit == [], f"responses without exactly one audit row: {stored.without_audit}"
    alert_mismatch = [rid for rid, (i9, alerts) in stored.responses.items() if alerts != (1 if i9 else 0)]
    assert alert_mismatch == [], f"responses whose risk alert is missing or extra: {alert_mismatch}"
    item9 = {rid: i9 for rid, (i9, _) in stored.responses.items()}
    assert all(item9[rid] == i9 for rid, (i9, _) in acked.items()), "stored answers differ from those sent"

    assert stored.integrity == "ok", stored.integrity
    assert run.audit_verify.returncode == 0, run.audit_verify.stdout + run.audit_verify.stderr

    # The checks are not vacuous: they see a response without its score and one without its alert.
    damaged = crashload.read_database(crashload.damaged_copy(run.database, run.database.with_name("cut.db")))
    assert len(damaged.without_score) == 1
    assert sum(1 for i9, alerts in damaged.responses.values() if i9 and not alerts) == 1
