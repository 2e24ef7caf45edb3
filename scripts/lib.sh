# Shared helpers for scripts/setup.sh and scripts/test.sh (sourced, not run).
#
# Every helper prints what it does and why it skips something; nothing is skipped silently.
# Debian packages are installed only when missing, only as root, and `apt-get update` runs at most
# once per command.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CHUXIN_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mwarning: %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror: %s\033[0m\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }
have_apt() { command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; }
deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Why Debian packages cannot be installed here, or nothing when they can.
apt_blocker() {
  if ! have_apt; then echo "apt-get is not available on this machine"
  elif ! is_root; then echo "not running as root (run as root, or install them yourself)"
  fi
}

_APT_UPDATED=${_APT_UPDATED:-}
# apt_install PKG… — install Debian packages (caller checks they are missing and that apt_blocker is empty).
apt_install() {
  local opts=(-y -q -o DPkg::Lock::Timeout=300)
  if [ -z "$_APT_UPDATED" ]; then
    say "apt-get update (needed for: $*)"
    DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null
    _APT_UPDATED=1
    export _APT_UPDATED
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "$@" >/dev/null
}

# The .po files of the project (not of installed packages).
po_files() {
  find "$ROOT" \( -path "$ROOT/.venv" -o -path "$ROOT/node_modules" -o -path "$ROOT/.git" -o -path "$VENV" \) -prune \
    -o -name '*.po' -print
}

# ensure_venv — create the virtualenv with Python ≥ 3.11 (PYTHON=… picks the interpreter).
ensure_venv() {
  if [ -x "$PY" ] && "$PY" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    return 0
  fi
  local python="${PYTHON:-python3}"
  command -v "$python" >/dev/null 2>&1 || die "$python not found; install Python 3.11 or newer (Debian: apt-get install python3 python3-venv), or set PYTHON=/path/to/python3.11"
  "$python" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null \
    || die "$python is $("$python" -V 2>&1); Chuxin needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)"
  say "creating virtualenv $VENV with $("$python" -V 2>&1)"
  rm -rf "$VENV"
  if ! "$python" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    local blocker; blocker="$(apt_blocker)"
    [ -z "$blocker" ] || die "'$python -m venv' failed (Debian needs the python3-venv package) and it cannot be installed: $blocker"
    apt_install python3-venv
    "$python" -m venv "$VENV" || die "'$python -m venv $VENV' failed even with python3-venv installed"
  fi
}

# pip_install_stamped NAME REQFILE — install REQFILE and the project (editable) into the virtualenv,
# unless the requirement files and pyproject.toml are unchanged since the last successful install.
pip_install_stamped() {
  local name="$1" req="$2" stamp="$VENV/.chuxin-$1.stamp" digest
  digest="$(cat "$ROOT"/requirements/*.txt "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1) $("$PY" -V 2>&1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && [ -x "$VENV/bin/chuxin" ]; then
    echo "python packages ($name) up to date"
    return 0
  fi
  say "pip install -r ${req#"$ROOT"/} -e . (into ${VENV#"$ROOT"/})"
  "$PY" -m pip install --disable-pip-version-check --progress-bar off -q -r "$req" -e "$ROOT" 2> >(grep -v "is neither a file nor a directory" >&2) \
    || die "pip install failed (see above)"
  echo "$digest" >"$stamp"
}

# ensure_npm — Node.js and npm for scripts/assets.sh.
ensure_npm() {
  command -v npm >/dev/null 2>&1 && return 0
  local blocker; blocker="$(apt_blocker)"
  [ -z "$blocker" ] || die "npm is needed to install the front-end assets (Bootstrap) from the npm registry, and it is missing; it cannot be installed: $blocker. Install Node.js and npm (Debian: apt-get install nodejs npm) and run again."
  apt_install nodejs npm
}

# ensure_assets — Bootstrap & co. from the npm registry into core/static/vendor/.
ensure_assets() {
  ensure_npm
  say "front-end assets (scripts/assets.sh)"
  "$ROOT/scripts/assets.sh"
}

# compile_messages — .po → .mo; a warning when the project has no .po files yet.
compile_messages() {
  if [ -z "$(po_files)" ]; then
    warn "no .po translation files in the project yet; skipping compilemessages"
    return 0
  fi
  if ! command -v msgfmt >/dev/null 2>&1; then
    local blocker; blocker="$(apt_blocker)"
    [ -z "$blocker" ] || die "compiling translations needs msgfmt from GNU gettext, which is missing and cannot be installed: $blocker. Install gettext and run again."
    apt_install gettext
  fi
  say "compiling translations (manage.py compilemessages)"
  (cd "$ROOT" && "$PY" manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=.git -v 0) \
    || die "compilemessages failed"
}
