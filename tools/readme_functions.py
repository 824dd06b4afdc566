#!/usr/bin/env python3
"""Write the README's function list from the one function table.

    .venv/bin/python tools/readme_functions.py          # rewrite the block in README.md
    .venv/bin/python tools/readme_functions.py --check  # exit 1 if README.md is stale

The block sits between the markers ``<!-- functions:start -->`` and
``<!-- functions:end -->``; tests/test_docs.py fails when it drifts from
``derivcli/language/functions.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from derivcli.language.functions import CONSTANTS, FUNCTIONS, MACROS, FunctionSpec

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- functions:start -->"
END = "<!-- functions:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _names(spec: FunctionSpec) -> str:
    aliases = ", ".join(f"`{a}`" for a in spec.aliases)
    return f"`{spec.signature}`" + (f" (also {aliases})" if aliases else "")


def markdown() -> str:
    """The block: every function, what autograd runs for it, its kinks' conventions."""
    lines = [
        START,
        "<!-- written by tools/readme_functions.py from derivcli/language/functions.py -->",
        "",
        "| function | what it is | autograd runs |",
        "|---|---|---|",
    ]
    for spec in FUNCTIONS:
        lines.append(f"| {_names(spec)} | {_cell(spec.summary)} | `{_cell(spec.torch_code)}` |")
    for name, forms in MACROS.items():
        for count, text in forms.items():
            args = ", ".join("ab"[:count])
            lines.append(f"| `{name}({args})` | read as `{text}` | (as written out) |")
    lines += ["", "Constants: " + "; ".join(f"`{c.name}` {c.summary}" for c in CONSTANTS) + "."]
    lines += [
        "",
        "At a kink or jump, each engine's own convention (the notes quote these; torch's"
        " second and higher derivatives too where they do not follow its first's rule):",
        "",
        "| function | torch at the kink | the closed form at the kink |",
        "|---|---|---|",
    ]
    for spec in FUNCTIONS:
        if spec.kink and (spec.torch_convention or spec.closed_form_convention):
            lines.append(
                f"| `{spec.name}` | {_cell(spec.torch_convention_for(2)) or '-'} | "
                f"{_cell(spec.closed_form_convention) or '-'} |"
            )
    lines.append(END)
    return "\n".join(lines)


def current(text: str) -> str:
    """The block as it stands in ``text``."""
    start, end = text.index(START), text.index(END) + len(END)
    return text[start:end]


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    fresh = markdown()
    if "--check" in argv:
        if current(text) != fresh:
            print("README.md's function list is stale: run tools/readme_functions.py")
            return 1
        return 0
    README.write_text(text.replace(current(text), fresh), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
