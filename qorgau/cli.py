"""The `qorgau` command: Django's management commands under the project's own name."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qorgau.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "qorgau"
    execute_from_command_line(argv)
    return 0
