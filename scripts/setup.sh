#!/usr/bin/env bash
# Set up Chuxin to run: the virtualenv (.venv) with requirements/base.txt and the project itself
# (`pip install -e .`, which provides the `chuxin` command), the front-end assets from the npm
# registry, and the compiled translations. Idempotent; a second run only checks.
#
#   scripts/setup.sh          # what `make demo` runs before `chuxin demo`
#   PYTHON=python3.12 scripts/setup.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_venv
pip_install_stamped base "$ROOT/requirements/base.txt"
ensure_assets
compile_messages
say "set up: $VENV/bin/chuxin is ready"
