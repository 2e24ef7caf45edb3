#!/usr/bin/env bash
# A PostgreSQL server for the test suite: Debian's cluster (e.g. 15/main), started if it is down,
# with a superuser role chuxin/chuxin and a database chuxin.
#
# Run:    scripts/pg.sh start   # prints the DATABASE_URL to use; scripts/pg.sh stop stops the cluster
# Source: pg_setup sets PG_URL (or PG_SKIP_REASON and returns 1); pg_stop_if_started stops the cluster
#         only if pg_setup started it. scripts/test.sh does this around its PostgreSQL run.
#
# CHUXIN_TEST_DATABASE_URL=postgres://… uses that server instead and manages nothing.
# A cluster started here runs with fsync off (a throw-away test server); one already running is left as is.

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_URL=""
PG_SKIP_REASON=""
PG_STARTED=""
PG_CLUSTER=""
PG_PORT=5432

_as_postgres() {
  if command -v runuser >/dev/null 2>&1; then (cd / && runuser -u postgres -- "$@")
  else (cd / && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
  fi
}

_pg_server_installed() {
  command -v pg_lsclusters >/dev/null 2>&1 && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
}

pg_setup() {
  if [ -n "${CHUXIN_TEST_DATABASE_URL:-}" ]; then
    PG_URL="$CHUXIN_TEST_DATABASE_URL"
    echo "using CHUXIN_TEST_DATABASE_URL (server not managed by this script)"
    return 0
  fi
  if ! _pg_server_installed; then
    local blocker; blocker="$(apt_blocker)"
    if [ -n "$blocker" ]; then
      PG_SKIP_REASON="the PostgreSQL server is not installed and cannot be installed: $blocker"
      return 1
    fi
    apt_install postgresql || { PG_SKIP_REASON="apt-get install postgresql failed"; return 1; }
  fi
  if ! is_root; then
    # Cannot start clusters or create roles: use a running server if it already has our role.
    if PGPASSWORD=chuxin PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p 5432 -U chuxin -d postgres -tAc 'select 1' >/dev/null 2>&1; then
      PG_URL="postgres://chuxin:chuxin@127.0.0.1:5432/chuxin"
      return 0
    fi
    PG_SKIP_REASON="not root, so the cluster cannot be started or the role created; start PostgreSQL on 127.0.0.1:5432 with a superuser role chuxin (password chuxin), or set CHUXIN_TEST_DATABASE_URL"
    return 1
  fi

  local line ver name port status
  line="$(pg_lsclusters -h 2>/dev/null | head -n1)"
  if [ -z "$line" ]; then
    ver="$(ls /usr/lib/postgresql | sort -n | tail -n1)"
    say "creating PostgreSQL cluster $ver/main"
    pg_createcluster "$ver" main >/dev/null || { PG_SKIP_REASON="pg_createcluster $ver main failed"; return 1; }
    line="$(pg_lsclusters -h | head -n1)"
  fi
  read -r ver name port status _ <<<"$line"
  PG_CLUSTER="$ver $name"
  PG_PORT="$port"
  if [ "$status" != online ]; then
    say "starting PostgreSQL cluster $ver/$name (port $port)"
    if ! pg_ctlcluster "$ver" "$name" start -- -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" 2>/dev/null; then
      pg_ctlcluster "$ver" "$name" start || {
        PG_SKIP_REASON="pg_ctlcluster $ver $name start failed (see /var/log/postgresql/postgresql-$ver-$name.log)"
        return 1
      }
    fi
    PG_STARTED=1
  else
    echo "PostgreSQL cluster $ver/$name already running on port $port"
  fi
  local i
  for i in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p "$port" || { PG_SKIP_REASON="PostgreSQL $ver/$name does not accept connections on 127.0.0.1:$port"; return 1; }

  if [ "$(_as_postgres psql -p "$port" -tAc "select 1 from pg_roles where rolname = 'chuxin'")" != 1 ]; then
    _as_postgres psql -q -p "$port" -c "create role chuxin with login superuser password 'chuxin'" \
      || { PG_SKIP_REASON="could not create role chuxin"; return 1; }
  fi
  if [ "$(_as_postgres psql -p "$port" -tAc "select 1 from pg_database where datname = 'chuxin'")" != 1 ]; then
    _as_postgres psql -q -p "$port" -c "create database chuxin owner chuxin" \
      || { PG_SKIP_REASON="could not create database chuxin"; return 1; }
  fi
  PG_URL="postgres://chuxin:chuxin@127.0.0.1:$port/chuxin"
}

pg_stop_if_started() {
  if [ -n "$PG_STARTED" ] && [ -n "$PG_CLUSTER" ]; then
    # Someone else (another test run on this machine) may have started using it meanwhile.
    local others
    others="$(_as_postgres psql -p "$PG_PORT" -tAc "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()" 2>/dev/null)"
    if [ -n "$others" ] && [ "$others" != 0 ]; then
      warn "PostgreSQL cluster ${PG_CLUSTER/ //} left running: $others other connection(s) use it"
      PG_STARTED=""
      return 0
    fi
    say "stopping PostgreSQL cluster ${PG_CLUSTER/ //} (started by this command)"
    # shellcheck disable=SC2086
    pg_ctlcluster $PG_CLUSTER stop || warn "pg_ctlcluster $PG_CLUSTER stop failed"
    PG_STARTED=""
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      pg_setup || die "$PG_SKIP_REASON"
      echo "DATABASE_URL=$PG_URL"
      ;;
    stop)
      line="$(pg_lsclusters -h | head -n1)"
      read -r ver name _ <<<"$line"
      pg_ctlcluster "$ver" "$name" stop
      ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
  esac
fi
