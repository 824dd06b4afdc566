"""``python -m derivcli``."""

from derivcli.commands.main import run

if __name__ == "__main__":
    run()
