"""Walking the audit hash chain and naming the first row that breaks it.

Checks, row by row in id order: the row links to the row before it (its prev_hash is that row's
hash, or GENESIS for the first row); ids follow on without gaps; the row's contents still give its
hash. At the end, the head singleton must name the last row. The first failure is reported:

* edited    — a row's contents no longer give its stored hash;
* deleted   — ids jump, the first row does not start the chain, or the head names a later row;
* reordered — a row does not link to the row before it although no id is missing (rows were
              swapped or moved, a row was inserted, or the row before was rewritten with a new hash).

A chain rewritten end to end by someone with database access cannot be detected from inside the
database; keep the printed head hash somewhere else (e.g. with each backup) to compare later.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .chain import GENESIS, row_hash
from .models import AuditEvent, AuditHead

BATCH = 2000


@dataclass(frozen=True)
class Problem:
    row_id: int
    kind: str  # "edited" | "deleted" | "reordered"
    message: str


@dataclass(frozen=True)
class Result:
    rows: int
    head_hash: str
    problem: Problem | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    @property
    def head_hash_groups(self) -> str:
        """The head hash in groups of 16, so it wraps on a phone and reads aloud in chunks."""
        return " ".join(self.head_hash[i : i + 16] for i in range(0, len(self.head_hash), 16))

    def summary(self) -> str:
        if self.problem is None:
            return _("Audit chain intact: %(rows)d rows (head %(hash)s).") % {
                "rows": self.rows,
                "hash": self.head_hash,
            }
        return _("Audit chain broken at row %(row)d (%(kind)s): %(message)s") % {
            "row": self.problem.row_id,
            "kind": self.problem.kind,
            "message": self.problem.message,
        }


def _rows() -> Iterator[AuditEvent]:
    """Every row in id order, fetched in batches by id (constant memory)."""
    after = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=after).order_by("id")[:BATCH])
        if not batch:
            return
        yield from batch
        after = batch[-1].id


def _check_link(row: AuditEvent, prev: AuditEvent | None) -> Problem | None:
    expected = prev.hash if prev is not None else GENESIS
    if row.prev_hash == expected:
        return None
    if prev is None:
        return Problem(
            row.id, "deleted", _("the first row does not start the chain: earlier rows were deleted.")
        )
    if row.id != prev.id + 1:
        missing = str(prev.id + 1) if row.id == prev.id + 2 else f"{prev.id + 1}–{row.id - 1}"
        return Problem(
            prev.id + 1,
            "deleted",
            _("row %(missing)s is missing between rows %(before)d and %(after)d: deleted.")
            % {"missing": missing, "before": prev.id, "after": row.id},
        )
    return Problem(
        row.id,
        "reordered",
        _(
            "it does not follow row %(before)d: rows were swapped or moved, a row was inserted, "
            "or row %(before)d was rewritten."
        )
        % {"before": prev.id},
    )


def verify_chain() -> Result:
    """Walk the whole chain; the first problem found, or none."""
    prev: AuditEvent | None = None
    count = 0
    for row in _rows():
        count += 1
        problem = _check_link(row, prev)
        if problem is None and row_hash(row) != row.hash:
            problem = Problem(
                row.id, "edited", _("its contents no longer match its hash: the row was edited.")
            )
        if problem is not None:
            return Result(count, prev.hash if prev else GENESIS, problem)
        prev = row

    head = AuditHead.objects.filter(pk=1).first()
    last_id, last_hash = (prev.id, prev.hash) if prev else (0, GENESIS)
    if head is None:
        if prev is None:
            return Result(0, GENESIS)
        return Result(count, last_hash, Problem(last_id, "deleted", _("the chain head is missing.")))
    if head.last_id > last_id:
        # Re-read: a row appended while we walked moves the head too, and is fine.
        tail = AuditEvent.objects.filter(id__gt=last_id).order_by("id").first()
        if tail is None:
            return Result(
                count,
                last_hash,
                Problem(
                    last_id + 1,
                    "deleted",
                    _("the chain ends at row %(last)d but its head names row %(head)d: rows deleted.")
                    % {"last": last_id, "head": head.last_id},
                ),
            )
        return verify_chain()
    if head.last_id != last_id or head.hash != last_hash:
        return Result(
            count,
            last_hash,
            Problem(
                last_id,
                "reordered",
                _("the chain head names row %(head)d, not the last row %(last)d.")
                % {"head": head.last_id, "last": last_id},
            ),
        )
    return Result(count, last_hash)
