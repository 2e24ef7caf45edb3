#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys

from chuxin.cli import run_django

if __name__ == "__main__":
    run_django(sys.argv)
