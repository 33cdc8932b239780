"""Database triggers that make audit rows append-only, per database vendor.

* Refuse: any UPDATE or DELETE of an `audit_auditevent` row is aborted by the database itself,
  whoever sends it (the ORM, raw SQL, a console). The error is an IntegrityError on both vendors
  (SQLite RAISE(ABORT) is a constraint failure; PostgreSQL raises SQLSTATE 23001).
* Advance: every INSERT moves the `audit_audithead` singleton to the new row (last id and hash)
  in the same transaction, so `record()` needs one locking read and one insert.

PostgreSQL's TRUNCATE fires no row triggers, so `flush` there is unaffected. SQLite's flush is a
DELETE; `openipt.lib.db.sqlite3` drops and recreates the triggers of the flushed tables around it.
A future migration that rebuilds `audit_auditevent` on SQLite (most AlterField operations do)
drops its triggers and must run SQLITE_CREATE again; `test_triggers` catches the omission.
"""

from __future__ import annotations

REFUSAL = "audit rows are append-only: they cannot be changed or deleted"

SQLITE_CREATE = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    """CREATE TRIGGER audit_event_advance_head AFTER INSERT ON audit_auditevent
BEGIN UPDATE audit_audithead SET last_id = NEW.id, hash = NEW.hash WHERE id = 1; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_event_advance_head",
]

POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION openipt_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation';
END $$""",
    """CREATE OR REPLACE FUNCTION openipt_audit_advance_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE audit_audithead SET last_id = NEW.id, hash = NEW.hash WHERE id = 1;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION openipt_audit_refuse()""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION openipt_audit_refuse()""",
    """CREATE TRIGGER audit_event_advance_head AFTER INSERT ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION openipt_audit_advance_head()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_no_delete ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_advance_head ON audit_auditevent",
    "DROP FUNCTION IF EXISTS openipt_audit_refuse()",
    "DROP FUNCTION IF EXISTS openipt_audit_advance_head()",
]


def create_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, [])


def drop_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])
