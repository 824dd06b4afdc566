"""The command line: Typer commands over the library.

Importing any module of this package registers every command on
``commands.app.app``, so the command tree is always complete.
"""

from derivcli.commands import batch, check, derivatives, help, matrices, plot  # noqa: F401
