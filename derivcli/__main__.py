"""``python -m derivcli``."""

from derivcli.cli import run

if __name__ == "__main__":
    run()
