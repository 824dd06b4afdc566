"""The loop a user would write instead of ``derivcli batch`` (issue 11's baseline).

Run by hand (``benchmarks/bench.py`` times it against ``derivcli batch`` on the
same lines):

    .venv/bin/python benchmarks/user_loop.py jobs.txt > answers.jsonl

For each line of a derivcli batch file of the form ``grad "EXPR" --at x=VALUE``
(the one-variable lines ``bench.py`` writes), in one process: sympy's
``sympify`` + ``diff`` + ``evalf`` for the closed form and its value, then
``lambdify(..., "torch")`` + ``backward()`` for autograd's value, and whether
they agree within derivcli's default tolerances; one JSON object per line.

``sympify`` runs Python's ``eval`` on its input: that is acceptable only
because the lines are this benchmark's own generated text. Never point it at
text someone else wrote (derivcli parses its input without eval; see
../shared/NOTES.md, "sympy runs Python code from strings").
"""

from __future__ import annotations

import json
import shlex
import sys

import sympy
import torch

RTOL, ATOL = 1e-7, 1e-10


def answer(text: str, value: float, x: sympy.Symbol) -> dict[str, object]:
    f = sympy.sympify(text, locals={"x": x})
    derivative = sympy.diff(f, x)
    symbolic = float(derivative.evalf(subs={x: value}))
    function = sympy.lambdify(x, f, "torch")
    leaf = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    function(leaf).backward()
    assert leaf.grad is not None
    autograd = float(leaf.grad)
    return {
        "derivative": str(derivative),
        "symbolic": symbolic,
        "autograd": autograd,
        "agree": abs(symbolic - autograd) <= ATOL + RTOL * abs(autograd),
    }


def main(path: str) -> int:
    x = sympy.Symbol("x", real=True)
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            args = shlex.split(line, comments=True)
            if not args:
                continue
            _, text, _, at = args  # grad "EXPR" --at x=VALUE
            value = float(at.split("=", 1)[1])
            sys.stdout.write(json.dumps({"line": number, **answer(text, value, x)}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
