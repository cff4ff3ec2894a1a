"""The `loudou` command: Django's management commands under one name.

`loudou demo`, `loudou token USERNAME`, `loudou migrate`, … are all management commands.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loudou.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["loudou", *sys.argv[1:]])


if __name__ == "__main__":
    main()
