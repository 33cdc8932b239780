# Sourced, not run: starts a throwaway PostgreSQL server in a temporary folder and exports
# DATABASE_URL (database "openipt"; Django's test runner makes its own test databases beside it).
# PostgreSQL refuses to run as root, so the server runs as the `postgres` system user; Debian's
# postgresql is installed if initdb/pg_ctl are missing. The caller sets `trap pg_cleanup EXIT`.
# PG_FAST=1 turns off fsync (the test suite); otherwise writes are durable (benchmarks).
find_pg_bin() {
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && dirname "$(command -v initdb)"
}
PGBIN="$(find_pg_bin || true)"
if [ -z "$PGBIN" ]; then
  echo "Installing Debian's postgresql (initdb/pg_ctl not found)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PGBIN="$(find_pg_bin)"
fi
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/bash postgres

PGDIR="$(mktemp -d -t openipt-pg-XXXXXX)"
chown postgres "$PGDIR"
PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
PGPASS="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
as_pg() { su postgres -s /bin/bash -c "$*"; }
pg_cleanup() { as_pg "$PGBIN/pg_ctl -D '$PGDIR/data' -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }

# The planner settings docs/scaling.md gives for a server whose data sits on SSD and in memory:
# with the default random_page_cost (4, for spinning disks) PostgreSQL scans whole tables to join
# a few hundred rows that an index would find in a tenth of the time.
PG_OPTIONS="-p $PGPORT -k '$PGDIR' -c listen_addresses=127.0.0.1 -c random_page_cost=1.1 -c effective_cache_size=4GB"
if [ "${PG_FAST:-0}" = 1 ]; then
  PG_OPTIONS="$PG_OPTIONS -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
else
  PG_OPTIONS="$PG_OPTIONS -c shared_buffers=1GB"
fi
echo "$PGPASS" > "$PGDIR/pw" && chown postgres "$PGDIR/pw"
as_pg "$PGBIN/initdb -D '$PGDIR/data' -U postgres --auth=scram-sha-256 --pwfile='$PGDIR/pw' -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "$PGBIN/pg_ctl -D '$PGDIR/data' -l '$PGDIR/log' -w -o \"$PG_OPTIONS\" start" >/dev/null
PGPASSWORD="$PGPASS" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres openipt
export DATABASE_URL="postgres://postgres:$PGPASS@127.0.0.1:$PGPORT/openipt"
