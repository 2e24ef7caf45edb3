#!/usr/bin/env bash
# Install what the tests need, then run every check. `make test` and `.ci/run` run this.
#
#   scripts/test.sh                    # everything
#   scripts/test.sh ruff mypy          # only some checks (setup always runs; it is quick when done)
#   PYTEST_ARGS="-k history" scripts/test.sh sqlite
#
# Checks, in order: ruff, mypy, migrations (makemigrations --check), sqlite (pytest -n 2, not browser),
# postgres (the same suite on PostgreSQL), browser (pytest -m browser in headless Chromium).
# Every check runs even when an earlier one fails; the command fails if any failed, and ends with a
# summary. A part that cannot run here (no root to install Chromium, say) is reported as skipped, with
# the reason; with CI=true (or CHUXIN_TEST_STRICT=true) a skipped part fails the command.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/pg.sh
. "$ROOT/scripts/pg.sh"
cd "$ROOT"

ALL_CHECKS=(ruff mypy migrations sqlite postgres browser)
CHECKS=("$@")
[ ${#CHECKS[@]} -gt 0 ] || CHECKS=("${ALL_CHECKS[@]}")
for c in "${CHECKS[@]}"; do
  [[ " ${ALL_CHECKS[*]} " == *" $c "* ]] || die "unknown check '$c' (choose from: ${ALL_CHECKS[*]})"
done
wants() { [[ " ${CHECKS[*]} " == *" $1 "* ]]; }

case "${CHUXIN_TEST_STRICT:-${CI:-false}}" in 1|true|yes) STRICT=1 ;; *) STRICT="" ;; esac
WORKERS="${PYTEST_WORKERS:-2}"
read -r -a EXTRA <<<"${PYTEST_ARGS:-}"
CHROMIUM=/usr/bin/chromium

# The suite runs on the embedded SQLite unless a step says otherwise; background tasks run inline.
unset DATABASE_URL
export CHUXIN_TASKS=sync
export CHUXIN_DEBUG=false

NAMES=() RESULTS=() TIMES=() NOTES=()
FAILED=""
record() {  # record NAME RESULT SECONDS NOTE
  NAMES+=("$1") RESULTS+=("$2") TIMES+=("$3") NOTES+=("${4:-}")
  case "$2" in
    FAIL) FAILED=1 ;;
    skipped) [ -z "$STRICT" ] || { FAILED=1; RESULTS[-1]="FAIL"; NOTES[-1]="skipped under CI/strict mode: ${4:-}"; } ;;
  esac
}
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
secs_since() { local d=$(($(now_ms) - $1)); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }
T_START=$(now_ms)

summary() {
  echo
  say "summary"
  local i
  for i in "${!NAMES[@]}"; do
    printf '  %-12s %-8s %7ss  %s\n' "${NAMES[$i]}" "${RESULTS[$i]}" "${TIMES[$i]}" "${NOTES[$i]}"
  done
  printf '  %-12s %-8s %7ss\n' total "$([ -z "$FAILED" ] && echo ok || echo FAIL)" "$(secs_since "$T_START")"
}

finish() {
  local rc=$?
  pg_stop_if_started
  summary
  [ -z "$FAILED" ] || [ "$rc" -ne 0 ] || rc=1
  exit "$rc"
}
trap finish EXIT
trap 'record interrupted FAIL 0 "interrupted"; exit 130' INT TERM

# step NAME NOTE-ON-SUCCESS -- COMMAND… : run, time and record one check.
step() {
  local name="$1" okmsg="$2"; shift 3
  say "$name: $*"
  local t0; t0=$(now_ms)
  "$@"
  local rc=$?
  if [ $rc -eq 0 ]; then record "$name" ok "$(secs_since "$t0")" "$okmsg"
  else record "$name" FAIL "$(secs_since "$t0")" "exit code $rc"
  fi
  return $rc
}

# --- setup -----------------------------------------------------------------------------------------
t0=$(now_ms)
missing=()
wants browser && [ ! -x "$CHROMIUM" ] && missing+=(chromium)
wants browser && ! deb_installed fonts-noto-cjk && have_apt && missing+=(fonts-noto-cjk)
wants postgres && [ -z "${CHUXIN_TEST_DATABASE_URL:-}" ] && ! _pg_server_installed && missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ -n "$(po_files)" ] && ! command -v msgfmt >/dev/null 2>&1 && missing+=(gettext)
APT_NOTE=""
if [ ${#missing[@]} -gt 0 ]; then
  blocker="$(apt_blocker)"
  if [ -n "$blocker" ]; then
    APT_NOTE="not installed: ${missing[*]} ($blocker)"
    warn "missing Debian packages ${missing[*]}: $blocker; the parts that need them are skipped"
  elif ! apt_install "${missing[@]}"; then
    APT_NOTE="apt-get install ${missing[*]} failed"
    warn "$APT_NOTE; the parts that need them are skipped"
  else
    APT_NOTE="installed ${missing[*]}"
  fi
fi
if ( ensure_venv && pip_install_stamped test "$ROOT/requirements/test.txt" && ensure_assets && compile_messages ); then
  record setup ok "$(secs_since "$t0")" "$APT_NOTE"
else
  record setup FAIL "$(secs_since "$t0")" "virtualenv, pip, assets or translations failed (see above)${APT_NOTE:+; $APT_NOTE}"
  exit 1
fi

# --- checks ----------------------------------------------------------------------------------------
if wants ruff; then
  step ruff "" -- "$VENV/bin/ruff" check .
fi

if wants mypy; then
  step mypy "" -- "$VENV/bin/mypy" .
fi

if wants migrations; then
  step migrations "no missing migrations" -- "$PY" manage.py makemigrations --check --dry-run
fi

# run_suite NAME EXIT5-OK PYTEST-ARGS… : pytest, where exit code 5 (no tests collected) is a failure
# unless EXIT5-OK is set.
run_suite() {
  local name="$1" empty_ok="$2"; shift 2
  say "$name: pytest $*"
  local t0; t0=$(now_ms)
  "$PY" -m pytest "$@"
  local rc=$?
  local took; took="$(secs_since "$t0")"
  case $rc in
    0) record "$name" ok "$took" ;;
    5) if [ -n "$empty_ok" ]; then record "$name" ok "$took" "no tests collected"
       else record "$name" FAIL "$took" "no tests collected (exit code 5)"
       fi ;;
    1) record "$name" FAIL "$took" "tests failed" ;;
    *) record "$name" FAIL "$took" "pytest exit code $rc" ;;
  esac
}

SUITE_ARGS=(-n "$WORKERS" -m "not browser" -q -rfE "${EXTRA[@]}")

if wants sqlite; then
  run_suite sqlite "" "${SUITE_ARGS[@]}"
fi

if wants postgres; then
  t0=$(now_ms)
  say "postgres: preparing the server"
  if pg_setup; then
    say "postgres: DATABASE_URL=$PG_URL"
    DATABASE_URL="$PG_URL" run_suite postgres "" "${SUITE_ARGS[@]}"
    TIMES[-1]="$(secs_since "$t0")"
    pg_stop_if_started
  else
    warn "PostgreSQL run skipped: $PG_SKIP_REASON"
    record postgres skipped "$(secs_since "$t0")" "$PG_SKIP_REASON"
  fi
fi

if wants browser; then
  if [ -x "$CHROMIUM" ]; then
    run_suite browser 1 -m browser -q -rfEs "${EXTRA[@]}"
  else
    reason="$CHROMIUM is missing"
    [ -z "$APT_NOTE" ] || reason="$reason; $APT_NOTE"
    warn "browser tests skipped: $reason"
    record browser skipped 0.0 "$reason"
  fi
fi
exit 0
