"""Command `help`: ``derivcli help`` and ``derivcli help grad`` work like ``--help``."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from derivcli.commands.app import app, command_tree
from derivcli.errors import InputError


@app.command("help")
def help_(
    command: Annotated[
        Optional[str],
        typer.Argument(metavar="[COMMAND]", help="The command to explain.", show_default=False),
    ] = None,
) -> None:
    """Show derivcli's help, or one command's (the same as --help).

    Examples:

      derivcli help

      derivcli help grad
    """
    import click

    group = command_tree()
    root = click.Context(group, info_name="derivcli")
    if command is None:
        text = group.get_help(root)
    else:
        sub = group.commands.get(command)
        if sub is None:
            known = ", ".join(sorted(group.commands))
            raise InputError(f"help: there is no command '{command}' (commands: {known})")
        text = sub.get_help(click.Context(sub, info_name=command, parent=root))
    if text:
        sys.stdout.write(text + "\n")
