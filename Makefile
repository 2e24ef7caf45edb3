# Chuxin's two commands:
#   make demo    set up (virtualenv, packages, assets, translations) and run the demo organization
#   make test    install what the tests need and run every check (ruff, mypy, migrations, SQLite,
#                PostgreSQL, browser); .ci/run runs exactly this
#
# make demo MEMBERS=2000 PASSWORD=s3cret-pass   # passed to `chuxin demo --members … --password …`
# make demo DEMO_ARGS="--help"                  # any other option of `chuxin demo`
# make test-sqlite PYTEST_ARGS="-k history"     # one part of `make test`; see docs/development.md

SHELL := /bin/bash
export MEMBERS PASSWORD DEMO_ARGS PYTEST_ARGS PYTEST_WORKERS PYTHON

.PHONY: demo setup test lint typecheck migrations-check test-sqlite test-postgres test-browser clean

demo: setup
	@set -x; .venv/bin/chuxin demo $${MEMBERS:+--members "$$MEMBERS"} $${PASSWORD:+--password "$$PASSWORD"} $$DEMO_ARGS

setup:
	scripts/setup.sh

test:
	scripts/test.sh

lint:
	scripts/test.sh ruff

typecheck:
	scripts/test.sh mypy

migrations-check:
	scripts/test.sh migrations

test-sqlite:
	scripts/test.sh sqlite

test-postgres:
	scripts/test.sh postgres

test-browser:
	scripts/test.sh browser

# Removes what set-up built; keeps var/ (the demo database and the secret key).
clean:
	rm -rf .venv node_modules core/static/vendor test-results .mypy_cache .ruff_cache
	find . -name '*.mo' -not -path './.venv/*' -not -path './node_modules/*' -delete
