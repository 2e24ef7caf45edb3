"""The ``chuxin`` console command: a thin front door to Django's management commands."""

from __future__ import annotations

import os
import sys


def run_django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuxin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def main() -> None:
    """Run ``chuxin SUBCOMMAND …``; every Django management command is available under its own name."""
    run_django(["chuxin", *sys.argv[1:]])
