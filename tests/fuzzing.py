"""Differential fuzzing of derivcli against the independent mpmath oracle (oracle.py).

Method
------
1. A seeded generator (``random.Random``) writes expressions over the whole
   language (every function of the table, ``+ - * / **``, unary minus,
   numbers from tiny to huge, fractions, pi, E; variables x, y, z) and chooses
   where to differentiate them: regular points; points exactly ON a kink (the
   kinked function's argument is 0 in exact arithmetic at the float64 point:
   ``relu(x-0.5)`` at x=0.5, ``abs(x*y-2)`` at x=1, y=2); domain edges and
   poles (``sqrt(x)`` at 0, ``acos(1-x)`` at 0, ``log(x-1)`` at 1); points
   where such an argument is 0 in float64 only (``relu(x-0.1)`` or
   ``1/(x-0.1)`` at the float 0.1) or one float beside 0; points where an
   argument is within a few hundred bits of an edge or pole, or underflows,
   without being on it (``atanh(tanh(y))`` at 400, ``log(exp(y))`` at
   -1e300); tiny (1e-300, 5e-324) and huge (1e300) coordinates; grids
   ``--at x=a:b:n``, whose points are ``torch.linspace(a, b, n,
   dtype=torch.float64)``, and long grids (2,001-20,001 points, enough for
   derivcli to screen them in float64; the oracle grades a sample of their
   points: evenly spaced ones, the special ones, the largest values). It asks
   for orders 1-3 with ``grad``, ``partial --wrt`` and mixed partials
   (``--wrt x --wrt y``).
2. All cases go through one ``derivcli batch`` process (JSON lines).
3. Every result is compared with the oracle (see ``check_line``):
   (a) ``symbolic`` equals the true derivative (relative 1e-9, absolute 1e-15)
       wherever the oracle says differentiable and the value is a finite float64,
       at single points and at every grid point alike;
   (b) ``differentiable`` matches; (c) ``left``/``right`` match where reported
       (relative 1e-9, absolute 1e-300); (d) ``agree`` follows the documented
       tolerance ``|symbolic - autograd| <= atol + rtol*|autograd|`` and the
       verdicts and exit codes follow ``agree``/``differentiable``; (e) no
       crash, valid JSON, every closed form parses back with derivcli's parser,
       and the points are the ones asked for (grids: ``torch.linspace``, bit
       for bit).
   Each failed check is a finding with a category and a reproducer command.

What is true is what the oracle computes: f, its derivatives and every kink
or domain argument *exactly*, in real numbers, at the very float64 point
(derivcli's documented semantics). float64 decides nothing: where float64
would put a domain or pole argument across 0 but exact arithmetic does not
(``1/(x-0.1)`` at the float 0.1 is finite, derivative -3.2e34), where f
overflows float64 but not exactly (``log(1+exp(x))`` at 1000), or where
float64 rounds a kink argument to 0 that is not 0 (``heaviside(y**4)`` at
-1e-300), the point is graded like any other. A removable discontinuity of f
(``sign(cos(y) - 1)`` at 0, ``heaviside(x**2)`` at 0: f's value differs from
equal side limits) is a jump: not differentiable. 0**0 = 1 (MPFR, torch). A
mixed partial is iterated: d/dz then d/dx of ``z - heaviside(x)`` at x=0 is
d/dx of 1, so 0, although f jumps along x (derivcli's refusal there has its
own category, in case that is the semantics wanted).

What the oracle cannot tell is *inconclusive*, counted and not graded: see
oracle.py (arguments within rounding of 0 even at 25,600 bits, levels that
do not converge, values past its range), and one-sided derivatives the
oracle finds 0 only below its 2**-1100 resolution, against which derivcli's
tiny or infinite sides are not graded.

Conventions that are *not* findings (documented in the README or in derivcli's
own notes), and how they are handled here. These are the only ones:

* autograd is never graded against the oracle: torch's own conventions and
  float64 arithmetic (``relu'(0) = 0``, softplus's threshold at 20, ``x**x``
  at 0, the float 0.1 - 0.1 being 0 in ``1/(x-0.1)``, ``exp(x)`` overflowing
  in ``log(1+exp(x))``) make a DISAGREE *right*. Only the consistency of
  ``agree`` with the tolerance is checked.
* At a kink whose sides meet (``abs(x)**2`` twice at 0), the closed form's
  value at the point uses sign(0) = 0 and heaviside(0) = 1/2, which need not
  be the derivative; derivcli then shows the true derivative as ``left`` =
  ``right`` and does not claim "agree". A ``symbolic`` that differs from the
  truth is accepted there when ``left`` and ``right`` carry the true value and
  the verdict is not "agree" (with "agree", *both* engines must match the
  limit). Likewise where the closed form has no value (0/0) on such a kink
  (``abs(y**3)**1.5`` three times at 0): ``symbolic`` is then nan, the closed
  form's value as documented, and ``left`` = ``right`` carry the derivative.
* ``left``/``right`` are derivcli's one-sided derivatives of the closed form
  of order n-1 taken strictly beside the point; the oracle's are one-sided
  derivatives of D_(n-1) that also pass through its value at the point. They
  coincide wherever D_(n-1) is continuous from that side, so they are compared
  (to 1e-9 relative) everywhere except beside a jump, and where f or D_(n-1)
  is undefined at the point itself (the oracle has no side there).
* A closed form holding a number of more than 1,240 digits does not parse
  back (the README's limit on digits; ``asin(1e300**2.5/y)``'s derivative has
  1e1500 in it).
* Exit 2 is right for a constant part that is not a finite real (``log(0)``,
  ``(-1)**0.5``, ``x/(x*0)``), for a part that is undefined everywhere
  (``(-(z/z))**1.5``) and for a closed form that is not real (a constant base
  <= 0 under a variable exponent), and for a limit derivcli names (a number
  past 4,096 bits; a constant past even MPFR's range, ``cosh(1e300)``); a
  constant that is 0 only up to rounding (``sin(pi)**-1``) is inconclusive.
  Exit 3 is right for a derivative beyond float64 and for a spent time budget
  (counted, not graded; the fuzzer passes ``--timeout 20`` so that a busy
  machine does not spend the default 2 s), except on a long grid of a small
  expression, where float64 is documented to carry the grid: 20 s is plenty.

Run by hand for long runs::

    .venv/bin/python tests/fuzzing.py --seed 1 --cases 5000
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import shlex
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle  # noqa: E402  (tests/ is not a package)

TIMEOUT_OPTION = "20"  # seconds for derivcli's closed form; the default 2 s is tight on busy CI
RTOL_VALUE = 1e-9  # (a): symbolic against the oracle
ATOL_VALUE = 1e-15
RTOL_SIDE = 1e-9  # (c): derivcli's one-sided derivatives are exact difference quotients
ATOL_SIDE = 1e-300
FLOAT64_MAX = sys.float_info.max
# The oracle resolves values down to 2**-1100; a side it finds 0 within that
# may be 1e-391 (exp(-y**2) at y=30), or that times an infinite one.
BELOW_RESOLUTION = "a one-sided derivative below the oracle's resolution (2**-1100)"
TINY_SIDE = 1e-300
# derivcli's sides differ by less than the oracle's error bound on them
BELOW_ORACLE_BOUND = "one-sided derivatives that differ by less than the oracle's error bound"
# derivcli's parser takes numbers of up to this many digits; a closed form
# whose coefficients grow past it is printed but does not parse back (README)
MAX_DIGITS = 1240
# ... and expressions of up to this many characters: a longer closed form is
# printed in full but is past the input limit (README)
MAX_LENGTH = 10_000
# Grids of more points than this may be evaluated in float64 where derivcli's
# error estimate trusts it: a reproducer keeps the whole grid.
GRID_EXACT = 8

# ------------------------------------------------------------ expressions


@dataclass(frozen=True)
class Expr:
    """A generated expression: a leaf (``text``) or an operation on ``args``."""

    op: str  # num | const | var | neg | + - * / ** | a function name
    args: tuple[Expr, ...] = ()
    text: str = ""

    def size(self) -> int:
        return 1 + sum(a.size() for a in self.args)

    def render(self) -> str:
        return _render(self)[0]


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}
_ATOM = 5


def _render(e: Expr) -> tuple[str, int]:
    """Text and precedence, with only the parentheses the grammar needs."""
    if e.op in ("num", "const", "var", "text"):
        return e.text, _ATOM
    if e.op == "neg":
        inner, p = _render(e.args[0])
        return "-" + (inner if p >= 3 else f"({inner})"), 3
    if e.op in _PRECEDENCE:
        prec = _PRECEDENCE[e.op]
        left, lp = _render(e.args[0])
        right, rp = _render(e.args[1])
        if e.op == "**":
            left = left if lp > prec else f"({left})"
            right = right if rp >= 3 else f"({right})"
            return f"{left}**{right}", prec
        left = left if lp >= prec else f"({left})"
        right = right if rp > prec else f"({right})"
        return f"{left} {e.op} {right}", prec
    return f"{e.op}({', '.join(_render(a)[0] for a in e.args)})", _ATOM


def num(text: str) -> Expr:
    return Expr("num", text=text)


def var(name: str) -> Expr:
    return Expr("var", text=name)


def call(name: str, *args: Expr) -> Expr:
    return Expr(name, tuple(args))


def binary(op: str, a: Expr, b: Expr) -> Expr:
    return Expr(op, (a, b))


def _dyadic_text(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def const_expr(value: float) -> Expr:
    """A literal for ``value`` (a negative one as a unary minus)."""
    if value < 0:
        return Expr("neg", (num(_dyadic_text(-value)),))
    return num(_dyadic_text(value))


# ------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    """One command line for ``derivcli batch`` and what it should compute."""

    index: int
    kind: str  # regular | kink | edge | extreme | grid
    expr: Expr
    command: str  # grad | partial
    wrt: tuple[str, ...]  # --wrt options (partial)
    order: int
    at: tuple[str, ...]  # --at option values
    points: tuple[Mapping[str, float], ...]  # the points, in derivcli's order
    grid_count: int = 0  # points of the grid in --at (0: single points)

    @property
    def text(self) -> str:
        return self.expr.render()

    @property
    def names(self) -> tuple[str, ...]:
        return oracle.expression_variables(self.text)

    def specs(self) -> list[tuple[str, ...]]:
        """The derivatives derivcli reports, in its order (one per variable for grad)."""
        if self.command == "grad":
            return [(n,) * self.order for n in self.names]
        if len(self.wrt) == 1:
            return [self.wrt * self.order]
        return [self.wrt]

    def argv(self) -> list[str]:
        args = [self.command]
        for at in self.at:
            args += ["--at", at]
        for w in self.wrt:
            args += ["--wrt", w]
        if self.order != 1:
            args += ["--order", str(self.order)]
        return [*args, "--timeout", TIMEOUT_OPTION, "--", self.text]

    def batch_line(self) -> str:
        return shlex.join(self.argv())

    def command_line(self, at: Sequence[str] | None = None) -> str:
        """A shell command reproducing this case (at other --at values if given)."""
        text = self.text
        head = f'derivcli {self.command} "{text}"' if not text.startswith("-") else ""
        parts = [f"--at {shlex.quote(a)}" for a in (self.at if at is None else at)]
        parts += [f"--wrt {w}" for w in self.wrt]
        if self.order != 1:
            parts.append(f"--order {self.order}")
        if not head:
            return f'derivcli {self.command} {" ".join(parts)} -- "{text}"'
        return " ".join([head, *parts])

    def at_point(self, point: Mapping[str, float]) -> str:
        return ",".join(f"{n}={point[n]!r}" for n in sorted(point))


def torch_linspace(start: float, stop: float, count: int) -> list[float]:
    import torch

    values: list[float] = torch.linspace(start, stop, count, dtype=torch.float64).tolist()
    return values


# ------------------------------------------------------------ the generator

NAMES = ("x", "y", "z")
NUMBERS = ["0", "1", "2", "3", "0.5", "1.5", "0.25", "10", "0.1", "2.5", "7", "100", "1e-3"]
RARE_NUMBERS = ["1e-300", "1e300", "1e-20", "1e20", "1e-8", "12345.678", "0.001"]
EXPONENTS = ["2", "3", "-1", "-2", "0.5", "1.5", "2.5", "4", "-0.5", "1.25", "0"]
DECIMALS = ["0.1", "0.3", "0.7", "1.1", "2.3", "0.2", "1e-3"]
DYADIC = [0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.0, -2.0, 0.25, 3.0, -0.75, 4.0]
EXTREMES = [
    1e-300,
    -1e-300,
    5e-324,
    -5e-324,
    1e300,
    -1e300,
    1e-20,
    1e20,
    1e-154,
    1e154,
    2.2250738585072014e-308,
    1e308,
    709.0,
    710.0,
    -745.0,
    1000.0,
    -1000.0,
    40.0,
    -40.0,
    20.5,
    1e-8,
    1e15,
]
GRIDS = [(-3.0, 3.0), (-1.0, 1.0), (-2.0, 2.0), (0.0, 2.0), (-0.5, 1.5), (0.5, 4.0), (-1e-3, 1e-3)]
GRID_COUNTS = [1, 2, 3, 4, 5, 5, 7, 9, 9, 11, 12]
LONG_GRID_WORK = 600_000  # points x expression size of a long grid
LONG_GRID_MIN = 1000
LONG_GRID_MAX = 20_001
# On a grid of more points than this, the oracle grades a sample (see _sample).
GRADED_PER_GRID = 64


class Generator:
    """Expressions, points and derivative requests from one seeded ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.functions = sorted(oracle.TABLE_ARITY)

    # leaves and expressions -------------------------------------------
    def number(self) -> Expr:
        r = self.rng.random()
        if r < 0.06:  # a constant through a function: cos(3)**-1, exp(2), sqrt(2)
            name = self.rng.choice(["cos", "sin", "exp", "log", "sqrt", "atan", "tanh"])
            value = call(name, num(self.rng.choice(["2", "3", "0.5", "10"])))
            return binary("**", value, const_expr(-1.0)) if self.rng.random() < 0.5 else value
        if r < 0.12:
            return binary("/", num("1"), num(self.rng.choice(["3", "7", "10"])))
        if r < 0.2:
            return num(self.rng.choice(RARE_NUMBERS))
        return num(self.rng.choice(NUMBERS))

    def leaf(self, names: Sequence[str]) -> Expr:
        r = self.rng.random()
        if r < 0.6:
            return var(self.rng.choice(names))
        if r < 0.9:
            return self.number()
        return Expr("const", text=self.rng.choice(["pi", "E"]))

    def exponent(self, names: Sequence[str], depth: int) -> Expr:
        if self.rng.random() < 0.2:
            return self.expression(names, max(0, depth - 2))
        text = self.rng.choice(EXPONENTS)
        if self.rng.random() < 0.1:
            return binary("/", num("1"), num("3"))
        return const_expr(float(text)) if text.startswith("-") else num(text)

    def expression(self, names: Sequence[str], depth: int) -> Expr:
        if depth <= 0 or self.rng.random() < 0.2:
            return self.leaf(names)
        r = self.rng.random()
        if r < 0.42:
            return self.function_call(self.rng.choice(self.functions), names, depth)
        if r < 0.77:
            op = self.rng.choice(["+", "+", "-", "*", "*", "/"])
            return binary(op, self.expression(names, depth - 1), self.expression(names, depth - 1))
        if r < 0.92:
            return binary("**", self.expression(names, depth - 1), self.exponent(names, depth))
        return Expr("neg", (self.expression(names, depth - 1),))

    def function_call(self, name: str, names: Sequence[str], depth: int) -> Expr:
        """A call of ``name``: its expressions, a third one now and then where it
        takes any number (max(a, b, c)), and its constant parameters, the
        required ones always, the optional ones now and then, in order."""
        rng = self.rng
        args = [self.expression(names, depth - 1) for _ in range(oracle.TABLE_ARITY[name])]
        if name in oracle.VARIADIC and rng.random() < 0.2:
            args.append(self.expression(names, depth - 1))
        params: list[Expr] = []
        for default, choices in oracle.PARAMS.get(name, ()):
            if default is not None and rng.random() < 0.7:
                break
            params.append(const_expr(float(rng.choice(choices))))
        return call(name, *(params + args if name in oracle.PARAMS_FIRST else args + params))

    # values -----------------------------------------------------------
    def value(self) -> float:
        r = self.rng.random()
        if r < 0.5:
            return round(self.rng.uniform(-3, 3), 2)
        if r < 0.7:
            return self.rng.choice([0.0, 1.0, -1.0, 0.5, 2.0, -0.5, 1.5, 3.0, -2.0])
        if r < 0.85:
            return round(self.rng.uniform(-10, 10), 3)
        magnitude = 10 ** self.rng.uniform(-6, 6)
        return float(f"{self.rng.choice([-1, 1]) * magnitude:.3g}")

    # forms that are exactly 0 at a chosen point -------------------------
    def zero_form(self, names: Sequence[str]) -> tuple[Expr, dict[str, float]]:
        """An expression and an assignment at which it is 0: exactly, or in float64
        only (``x - 0.1`` at the float 0.1), or nearly (one float beside a zero)."""
        rng = self.rng
        v = rng.choice(names)
        others = [n for n in names if n != v]
        c = rng.choice(DYADIC)
        kind = rng.randrange(13)
        if kind == 0:
            return (binary("-", var(v), const_expr(c)) if c else var(v)), {v: c}
        if kind == 1:
            return binary("-", const_expr(c), var(v)), {v: c}
        if kind == 2 and others:
            w = rng.choice(others)
            a = rng.choice([1.0, 2.0, -2.0, 0.5, 4.0])
            return binary("-", binary("*", var(v), var(w)), const_expr(c)), {v: a, w: c / a}
        if kind == 3 and c:
            square = binary("**", var(v), num("2"))
            return binary("-", square, const_expr(c * c)), {v: rng.choice([c, -c])}
        if kind == 4 and others:
            w = rng.choice(others)
            return binary("+", var(v), var(w)), {v: c, w: -c}
        if kind == 5:
            name = rng.choice(["sin", "tanh", "atan", "asinh", "erf", "sinh"])
            return call(name, var(v)), {v: 0.0}
        if kind == 6:
            return call("log", var(v)), {v: 1.0}
        if kind == 7:
            return binary("-", call(rng.choice(["exp", "cos"]), var(v)), num("1")), {v: 0.0}
        if kind == 8 and c > 0:
            return binary("-", call("sqrt", var(v)), const_expr(c)), {v: c * c}
        if kind == 9:
            scaled = binary("*", num("0.1"), var(v))
            return binary("-", scaled, num("0.3")), {v: 3.0}
        if kind == 10:
            return binary("-", binary("*", num("2"), var(v)), num("1")), {v: 0.5}
        if kind == 11:
            # 0 in float64 only: at the float 0.1, x - 0.1 is 5.6e-18 exactly
            d = rng.choice(DECIMALS)
            form = binary("-", var(v), num(d))
            return (form if rng.random() < 0.5 else Expr("neg", (form,))), {v: float(d)}
        if kind == 12:
            # one float beside an exact zero: x - 0.5 at 0.5 + 2**-53
            side = rng.choice([-math.inf, math.inf])
            return binary("-", var(v), const_expr(c)), {v: math.nextafter(c, side)}
        return binary("**", var(v), num("3")), {v: 0.0}

    def kinked(self, core: Expr, names: Sequence[str]) -> Expr:
        """A kinked function whose argument (or a-b for max/min) is ``core``."""
        rng = self.rng
        k = rng.randrange(12)
        g = self.expression(names, 1) if rng.random() < 0.5 else num("0")
        forms = [
            call("abs", core),
            call("relu", core),
            call("sign", core),
            call("heaviside", core),
            call("max", binary("+", core, g), g),
            call("min", g, binary("+", core, g)),
            binary("**", call("abs", core), num(rng.choice(["2", "3", "1.5"]))),
            binary("**", call("relu", core), num(rng.choice(["2", "3"]))),
            binary("*", core, call("abs", core)),
            binary("*", call("relu", core), call("sin", core)),
            binary("*", call("sign", core), binary("**", core, num("2"))),
            binary("*", call("heaviside", core), binary("**", core, num(rng.choice(["2", "3"])))),
        ]
        return forms[k]

    def edged(self, core: Expr, names: Sequence[str]) -> Expr:
        """A function with a domain edge or pole where ``core`` is 0."""
        rng = self.rng
        one = num("1")
        forms = [
            call("sqrt", core),
            call("log", core),
            binary("**", core, num(rng.choice(["0.5", "1.5", "2.5"]))),
            binary("**", core, binary("/", num("1"), num("3"))),
            binary("/", one, core),
            binary("**", core, const_expr(-1.0)),
            call("acos", binary("-", one, core)),
            call("acos", binary("-", core, one)),
            call("asin", binary("+", one, core)),
            call("atanh", binary("-", one, core)),
            call("acosh", binary("+", one, core)),
            binary("**", core, var(rng.choice(names))),
            call(rng.choice(["sigmoid", "sin", "exp", "tanh"]), call("log", core)),
            call("acos", binary("**", core, num("1.5"))),
        ]
        return rng.choice(forms)

    def rounding(self, names: Sequence[str]) -> tuple[Expr, dict[str, float]]:
        """A function whose argument lies within a few hundred bits of a domain
        edge or pole without being on it (``atanh(tanh(y))`` at 400: tanh is
        1 - 2e-348), or that underflows (``log(exp(y))`` at -1e300): f and its
        derivative are ordinary there, but only exact arithmetic shows it."""
        rng = self.rng
        v = rng.choice(names)
        y = var(v)
        one = num("1")
        forms: list[tuple[Expr, list[float]]] = [
            (call("atanh", call("tanh", y)), [20.0, 40.0, 400.0, -400.0]),
            (call("acos", call("cos", y)), [1e-300, 1e-20, 1e-8, -1e-20]),
            (call("acosh", call("cosh", y)), [1e-300, 1e-20, 1e-8]),
            (call("asin", call("sin", y)), [math.pi / 2, 1e-300]),
            (call("log", binary("-", one, call("cos", y))), [1e-300, 1e-100, 1e-20]),
            (binary("/", one, binary("-", one, call("exp", y))), [1e-100, -1e-100, 1e-20]),
            (call("sqrt", binary("-", one, binary("**", call("tanh", y), num("2")))), [400.0]),
            (call("log", call("exp", y)), [-1e300, -1e20, -1000.0, 1000.0]),
            (binary("**", y, call("exp", y)), [-1e300, -1e20]),
            (call("log", call("sigmoid", y)), [-1e300, -1e20, -800.0]),
            (call("sign", call("exp", y)), [-1e300, -1e20]),
        ]
        form, values = rng.choice(forms)
        return form, {v: rng.choice(values)}

    def embed(self, core: Expr, names: Sequence[str]) -> Expr:
        """``core`` inside a random context."""
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            return core
        if r < 0.65:
            other = self.expression(names, rng.randrange(0, 3))
            op = rng.choice(["+", "-", "*", "/"])
            return binary(op, core, other) if rng.random() < 0.5 else binary(op, other, core)
        if r < 0.85:
            return call(
                rng.choice(["sin", "exp", "sigmoid", "softplus", "tanh", "atan", "erf"]), core
            )
        return binary("**", core, num(rng.choice(["2", "3"])))

    # requests ---------------------------------------------------------
    def request(self, names: Sequence[str]) -> tuple[str, tuple[str, ...], int]:
        rng = self.rng
        order = rng.choices([1, 2, 3], weights=[60, 25, 15])[0]
        r = rng.random()
        if len(names) >= 2 and r < 0.35:
            count = rng.choice([2, 2, 3])
            while True:
                wrt = tuple(rng.choice(names) for _ in range(count))
                if len(set(wrt)) >= 2:
                    return "partial", wrt, 1
        if r < 0.7:
            return "grad", (), order
        return "partial", (rng.choice(names),), order

    def case(self, index: int) -> Case:
        rng = self.rng
        names = sorted(rng.sample(NAMES, rng.choices([1, 2, 3], weights=[50, 35, 15])[0]))
        kind = rng.choices(
            ["regular", "kink", "edge", "extreme", "grid", "rounding", "long grid"],
            weights=[30, 25, 17, 12, 16, 8, 1],
        )[0]
        assignment: dict[str, float] = {}
        if kind in ("kink", "edge") or (kind in ("grid", "long grid") and rng.random() < 0.5):
            core, assignment = self.zero_form(names)
            special = self.kinked(core, names) if rng.random() < 0.6 else self.edged(core, names)
            expr = self.embed(special, names)
        elif kind == "rounding":
            special, assignment = self.rounding(names)
            expr = self.embed(special, names)
        else:
            expr = self.expression(names, rng.randrange(1, 5))
        text = expr.render()
        try:
            used = oracle.expression_variables(text)
        except Exception:  # a generated text derivcli refuses (too large a number ...)
            used = ()
        if not used:  # a constant: make it depend on a variable
            expr = binary("+", expr, binary("*", num("0.5"), var(names[0])))
            used = oracle.expression_variables(expr.render())
        point = {n: assignment.get(n, self.value()) for n in used}
        if kind == "extreme":
            point[rng.choice(used)] = rng.choice(EXTREMES)
        command, wrt, order = self.request(used)
        if kind == "long grid":
            # one derivative along one variable: one result per point
            command, wrt = "partial", (rng.choice([n for n in used if n in assignment] or used),)
        if kind in ("grid", "long grid"):
            return self._grid_case(index, expr, used, point, assignment, command, wrt, order, kind)
        points: list[dict[str, float]] = [point]
        if rng.random() < 0.1:
            points.append({n: self.value() for n in used})
        at = tuple(",".join(f"{n}={p[n]!r}" for n in used) for p in points)
        return Case(index, kind, expr, command, wrt, order, at, tuple(points))

    def _grid_case(
        self,
        index: int,
        expr: Expr,
        used: Sequence[str],
        point: dict[str, float],
        assignment: Mapping[str, float],
        command: str,
        wrt: tuple[str, ...],
        order: int,
        kind: str = "grid",
    ) -> Case:
        rng = self.rng
        v = wrt[0] if kind == "long grid" else None
        v = v or rng.choice([n for n in used if n in assignment] or list(used))
        count = rng.choice(GRID_COUNTS)
        if v in assignment:
            c = assignment[v]
            half = rng.choice([1.0, 0.5, 2.0])
            start, stop = c - half, c + half
            count = rng.choice([3, 5, 9, 11, 13]) if count > 1 else 1
        else:
            start, stop = rng.choice(GRIDS)
        if kind == "long grid":
            # long enough that derivcli screens it in float64 (EXACT_WORK, 200,000
            # instruction-evaluations): odd, so that the middle point is c itself
            count = min(LONG_GRID_MAX, max(2001, LONG_GRID_WORK // expr.size())) | 1
        grid = torch_linspace(start, stop, count)
        at = ",".join(
            [f"{v}={start!r}:{stop!r}:{count}"] + [f"{n}={point[n]!r}" for n in used if n != v]
        )
        points = tuple({**point, v: g} for g in grid)
        return Case(index, kind, expr, command, wrt, order, (at,), points, count)


def generate(seed: int, count: int) -> list[Case]:
    gen = Generator(random.Random(seed))
    return [gen.case(i) for i in range(count)]


# ------------------------------------------------------------ running derivcli


def derivcli_command() -> list[str]:
    return [sys.executable, "-m", "derivcli", "batch"]


def run_batch(cases: Sequence[Case], timeout: float = 3600) -> dict[int, Any]:
    """Run every case through one ``derivcli batch``; JSON objects by case position."""
    lines = "".join(c.batch_line() + "\n" for c in cases)
    proc = subprocess.run(
        derivcli_command(), input=lines, capture_output=True, text=True, timeout=timeout
    )
    answers: dict[int, Any] = {}
    for raw in proc.stdout.splitlines():
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError:
            answers.setdefault(-1, []).append(raw)
            continue
        answers[int(obj.get("line", 0)) - 1] = obj
    if "Traceback" in proc.stderr:
        answers[-2] = proc.stderr
    return answers


class BatchClient:
    """One ``derivcli batch`` kept open, a line at a time (for shrinking reproducers)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            derivcli_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )

    def ask(self, case: Case) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(case.batch_line() + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


# ------------------------------------------------------------ comparing


@dataclass(frozen=True)
class Finding:
    category: str
    case: Case
    detail: str
    reproducer: str
    point: Mapping[str, float] | None = None  # the failing point (None: the whole case)


@dataclass
class Tally:
    """Counts of what was checked, skipped and found."""

    cases: int = 0
    results: int = 0
    graded: int = 0
    inconclusive: Counter[str] = field(default_factory=Counter)
    conventions: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)


class Reporter(Protocol):
    def __call__(self, category: str, detail: str) -> None: ...


def number(value: Any) -> float | None:
    """A JSON number (or "inf"/"-inf"/"nan") as a float; None for null."""
    return None if value is None else float(value)


def values_agree(a: float, b: float, rtol: float, atol: float) -> bool:
    """The README's tolerance: |a - b| <= atol + rtol*|b|; equal infinities agree."""
    if math.isnan(a) or math.isnan(b):
        return False
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _fmt(value: float | None) -> str:
    return "null" if value is None else repr(value)


_EXIT_OF_VERDICT = {
    "agree": 0,
    "DISAGREE": 1,
    "not differentiable": 1,
    "not compared": 1,
    "not computed": 3,
}


def expected_verdict(result: Mapping[str, Any]) -> set[str]:
    """The verdicts the README allows for a result's differentiable/agree fields."""
    if result.get("differentiable") is False:
        return {"not differentiable"}
    agree = result.get("agree")
    if agree is None:
        return {"not compared", "not computed"}
    return {"agree" if agree else "DISAGREE"}


def _parses(text: str) -> bool:
    try:
        oracle.parse_tree(text)
    except Exception:
        return False
    return True


def _budget_note(result: Mapping[str, Any], line: Mapping[str, Any]) -> bool:
    notes = f"{result.get('note') or ''} {line.get('note') or ''}"
    return "budget" in notes or "--timeout" in notes or "more memory" in notes


class Checker:
    """Grades derivcli's answers with the oracle."""

    def __init__(self, tally: Tally | None = None) -> None:
        self.oracle = oracle.Oracle()
        self.tally = tally or Tally()
        self._parsed: dict[str, bool] = {}

    # one line ---------------------------------------------------------
    def check_line(self, case: Case, line: Any) -> list[Finding]:
        found: list[Finding] = []

        def report(category: str, detail: str, point: Mapping[str, float] | None = None) -> None:
            found.append(Finding(category, case, detail, _reproducer(case, point), point))

        self.tally.cases += 1
        if not isinstance(line, dict):
            report("crash: no JSON answer for the line", repr(line)[:200])
        elif "error" in line:
            self._check_error(case, line, report)
        else:
            self._check_results(case, line, report, found)
        self.tally.findings.extend(found)
        return found

    def _check_error(self, case: Case, line: Mapping[str, Any], report: Reporter) -> None:
        code, message = line.get("exit"), str(line.get("error"))
        if code == 2:
            if oracle.constant_problem(case.text) or oracle.undefined_everywhere(case.text):
                self.tally.conventions["exit 2: a constant part is not a finite real"] += 1
            elif oracle.constant_unsure(case.text):
                self.tally.inconclusive["exit 2: a constant part is 0 up to rounding"] += 1
            elif "not real-valued" in message and oracle.constant_base_power(case.text):
                self.tally.conventions["exit 2: constant base <= 0 under a variable exponent"] += 1
            elif any(
                w in message
                for w in ("bits", "digits", "limit", "any number format", "64-bit integer powers")
            ):
                self.tally.conventions["exit 2: a documented limit"] += 1
            elif oracle.constant_beyond_oracle(case.text):
                self.tally.inconclusive["exit 2: a constant part beyond the oracle's range"] += 1
            else:
                report("valid input rejected (exit 2)", f"derivcli: {message}")
        elif code == 3 and ("budget" in message or "--timeout" in message):
            self.tally.conventions["exit 3: time budget"] += 1
        elif code == 3 and "would not return" in message:
            # torch's digamma and polygamma step a negative argument up one by
            # one: below -2**24 derivcli refuses rather than hang (README, limits)
            self.tally.conventions["exit 3: torch's digamma below -2**24 (a documented limit)"] += 1
        elif code == 3 and "autograd failed" in message:
            # torch has no higher derivative of some functions (hardsigmoid);
            # the whole command fails, closed form and all
            report("exit 3: autograd failed, and the closed form is not shown", message)
        elif code == 3 and "symbolic engine failed" in message:
            report("crash: the symbolic engine failed (exit 3)", message)
        else:
            report("crash: internal error", f"exit {code}: {message}")

    def _check_results(
        self, case: Case, line: Mapping[str, Any], report: Callable3, found: list[Finding]
    ) -> None:
        results = line.get("results") or []
        specs = case.specs()
        if len(results) != len(specs) * len(case.points):
            report(
                "structure: wrong number of results",
                f"{len(results)} results for {len(specs)} derivatives x {len(case.points)} points",
            )
            return
        self._check_points(case, results, report)
        if _budget_note({}, line):
            if case.grid_count >= LONG_GRID_MIN:
                # float64 is documented to carry a long grid where it is accurate;
                # a small expression should not need 20 s or 768 MiB to be exact
                report("long grid: the closed form runs out of its budget", line["note"])
            else:
                self.tally.conventions["a time budget ran out"] += 1
        graded = _sample(results)
        codes = []
        for i, result in enumerate(results):
            spec, point = specs[i // len(case.points)], case.points[i % len(case.points)]
            self.tally.results += 1
            self._check_result(case, line, result, spec, point, report, i in graded)
            codes.append(_result_exit(result))
        if line.get("exit") != max(codes, default=0):
            report("verdict/exit code inconsistent", f"exit {line.get('exit')}, verdicts {codes}")

    def _check_points(self, case: Case, results: Sequence[Any], report: Callable3) -> None:
        """The points derivcli computed at are the ones asked for (grids: torch.linspace)."""
        differ = []
        for i, result in enumerate(results[: len(case.points)]):
            got = {k: float(v) for k, v in (result.get("point") or {}).items()}
            want = dict(case.points[i])
            if got != want:
                gap = max(abs(got.get(n, math.nan) - want[n]) for n in want)
                differ.append((gap, got, want))
        if differ:
            gap, got, want = max(differ, key=lambda d: d[0])
            report(
                "grid point differs from torch.linspace",
                f"{len(differ)} of {len(case.points)} points differ, by up to {gap:.3g}: "
                f"derivcli computes at {got}, torch.linspace gives {want}",
            )

    # one result -------------------------------------------------------
    def _check_result(
        self,
        case: Case,
        line: Mapping[str, Any],
        result: Mapping[str, Any],
        spec: tuple[str, ...],
        expected: Mapping[str, float],
        report: Callable3,
        graded: bool = True,
    ) -> None:
        got_point = {k: float(v) for k, v in (result.get("point") or {}).items()}
        here = got_point or dict(expected)
        rep = _at(report, here)
        if tuple(result.get("variables") or ()) != spec:
            rep("structure: wrong derivative", f"variables {result.get('variables')} for {spec}")
            return
        derivative = result.get("derivative")
        if derivative is not None and not self._parses_back(derivative):
            if _longest_number(derivative) > MAX_DIGITS:
                self.tally.conventions["closed form with a number past 1,240 digits"] += 1
            elif len(derivative) > MAX_LENGTH:
                self.tally.conventions["closed form past the 10,000-character input limit"] += 1
            else:
                rep("closed form does not parse back", f"derivative {derivative[:120]!r}")
        self._check_consistency(line, result, rep)
        if _budget_note(result, line):
            if not _budget_note({}, line):  # counted once a line in _check_results
                self.tally.conventions["a time budget ran out"] += 1
            return
        if not graded:
            return
        note = str(result.get("note") or "")
        if "torch cannot compute this derivative" in note and result.get("autograd") is None:
            # torch has no formula for it (hardsigmoid twice): documented, exit 3
            self.tally.conventions["torch has no formula for this derivative"] += 1
            return
        if "for any number format" in note and result.get("verdict") == "not computed":
            # exp(-1e20): past MPFR's own range, derivcli says it cannot judge (exit 3)
            self.tally.conventions["a value past MPFR's range: not judged"] += 1
            return
        try:
            truth = self.oracle.judge(case.text, here, spec)
        except Exception:
            self.tally.inconclusive["oracle error: " + traceback.format_exc(limit=2)[-160:]] += 1
            return
        if not truth.conclusive:
            self.tally.inconclusive[truth.reason] += 1
            return
        self.tally.graded += 1
        _Grader(self, case, result, truth, here, rep).run()

    def _parses_back(self, text: str) -> bool:
        if text not in self._parsed:
            self._parsed[text] = _parses(text)
        return self._parsed[text]

    def _check_consistency(
        self, line: Mapping[str, Any], result: Mapping[str, Any], rep: Reporter
    ) -> None:
        verdict = result.get("verdict")
        if verdict not in expected_verdict(result):
            rep(
                "verdict/exit code inconsistent",
                f"verdict {verdict!r} with differentiable={result.get('differentiable')}, "
                f"agree={result.get('agree')}",
            )
        agree = result.get("agree")
        sym, auto = number(result.get("symbolic")), number(result.get("autograd"))
        if agree is None or sym is None or auto is None:
            return
        rtol, atol = float(line["rtol"]), float(line["atol"])
        allowed = {values_agree(sym, auto, rtol, atol)}
        if not (math.isfinite(sym) and math.isfinite(auto)):
            allowed.add(False)  # "the value is not a finite float64 number"
        left, right = number(result.get("left")), number(result.get("right"))
        if result.get("differentiable") and left is not None and left == right:
            # a kink whose sides meet: agreement means both engines match the limit
            allowed.add(
                values_agree(sym, left, rtol, atol) and values_agree(auto, left, rtol, atol)
            )
        if agree not in allowed:
            rep(
                "agree flag inconsistent with the tolerance",
                f"symbolic {sym!r}, autograd {auto!r}, agree {agree} (rtol {rtol}, atol {atol})",
            )


Callable3 = Any  # report(category, detail, point=None)


def _at(report: Callable3, point: Mapping[str, float]) -> Reporter:
    def rep(category: str, detail: str) -> None:
        report(category, detail, point)

    return rep


def _reproducer(case: Case, point: Mapping[str, float] | None) -> str:
    """The command for one failing point; a long grid keeps its grid (float64 values there)."""
    if point is None:
        return case.command_line()
    if case.grid_count > GRID_EXACT:
        return f"{case.command_line()}  # at {case.at_point(point)}"
    return case.command_line([case.at_point(point)])


def _sample(results: Sequence[Any]) -> set[int]:
    """The results the oracle grades: all of them, or on a long grid a sample:
    evenly spaced ones, the first and last, every one derivcli calls special
    (a note, not differentiable, no agreement) up to as many again, and those
    with the largest values (where float64's error would be largest)."""
    count = len(results)
    if count <= GRADED_PER_GRID:
        return set(range(count))
    step = count / (GRADED_PER_GRID // 2)
    chosen = {int(k * step) for k in range(GRADED_PER_GRID // 2)} | {0, count - 1}
    special = [
        i
        for i, r in enumerate(results)
        if r.get("note") or r.get("differentiable") is not True or r.get("agree") is not True
    ]
    chosen |= set(special[: GRADED_PER_GRID // 2])
    sizes = sorted(
        (abs(v), i)
        for i, r in enumerate(results)
        if (v := number(r.get("symbolic"))) is not None and math.isfinite(v)
    )
    chosen |= {i for _, i in sizes[-8:]}
    return chosen


def _longest_number(text: str) -> int:
    return max((len(m) for m in re.findall(r"[0-9]+", text)), default=0)


def _result_exit(result: Mapping[str, Any]) -> int:
    if result.get("derivative") is None:
        return 3
    return _EXIT_OF_VERDICT.get(str(result.get("verdict")), 99)


def _short_reason(reason: str) -> str:
    if reason.startswith("f is undefined"):
        return "f undefined at the point"
    if "edge" in reason:
        return "domain edge"
    if "both sides" in reason:
        return "f undefined on both sides"
    if "kink" in reason:
        return "kink"
    if "jump" in reason:
        return "jump"
    if "infinite" in reason:
        return "infinite derivative"
    if "lower-order" in reason:
        return "a lower-order derivative does not exist"
    return reason


def _jump_size(note: str) -> float:
    """How much derivcli's note says a function jumps (inf if it does not say)."""
    found = re.search(r"it jumps by (\S+?)\)", note)
    if found:
        return abs(float(found.group(1)))
    limits = re.search(r"left limit (\S+), value (\S+), right limit (\S+?)\)", note)
    if not limits:
        return math.inf
    left, value, right = (float(v) for v in limits.groups())
    return max(abs(left - right), abs(value - right))


def _derivcli_reason(note: str) -> str:
    if "autograd gives nan" in note or "forward pass gives nan" in note:
        return "autograd's nan"
    if "jumps" in note:
        return "a jump"
    if "edge of the function's real domain" in note:
        return "a domain edge"
    if "kink" in note:
        return "a kink"
    if "not finite" in note:
        return "an infinite derivative"
    if "undefined" in note:
        return "an undefined point"
    return "other reasons"


class _Grader:
    """Checks (a), (b) and (c) of one result against the oracle's truth."""

    def __init__(
        self,
        checker: Checker,
        case: Case,
        result: Mapping[str, Any],
        truth: oracle.Truth,
        point: Mapping[str, float],
        rep: Reporter,
    ) -> None:
        self.checker, self.case, self.result, self.truth = checker, case, result, truth
        self.point, self.rep = point, rep
        self.sym = number(result.get("symbolic"))
        self.diff = result.get("differentiable")
        self.note = str(result.get("note") or "")
        self._cf: oracle.ClosedForm | None = None

    def says(self) -> str:
        r = self.result
        return (
            f"derivcli: verdict {r.get('verdict')!r}, symbolic {_fmt(self.sym)}, autograd "
            f"{r.get('autograd')}, differentiable {self.diff}, left {r.get('left')}, right "
            f"{r.get('right')}, derivative {str(r.get('derivative'))[:100]!r}"
        )

    def truth_text(self) -> str:
        t = self.truth
        if t.differentiable:
            head = f"differentiable, derivative {oracle.nstr(t.value, 15, t.unc)}"
        else:
            head = f"not differentiable ({t.reason})"
        return f"oracle: {head}; left {t.left.describe()}, right {t.right.describe()}"

    def fail(self, category: str) -> None:
        self.rep(category, f"{self.says()} | {self.truth_text()}")

    def run(self) -> None:
        t = self.truth
        finite = t.differentiable and abs(t.float_value) < FLOAT64_MAX * (1 - 1e-12)
        if finite and self._value_wrong():
            return
        if self._classification_wrong(finite):
            return
        self._check_sides()

    # (a) -----------------------------------------------------------------
    def _value_wrong(self) -> bool:
        t, sym = self.truth, self.sym
        value, unc = t.float_value, t.float_unc
        if sym is not None and math.isfinite(sym):
            if abs(sym - value) <= self._tolerance(value, unc):
                return False
            if self._convention_for_value(value, unc):
                return False
            self.fail(self._wrong_value_category(value, unc))
            return True
        if self.result.get("verdict") == "not computed" and _budget_note(self.result, {}):
            return False
        if self._sides_carry(value, unc) and self.result.get("verdict") != "agree":
            self.checker.tally.conventions[
                "closed form undefined (0/0) where the sides meet: symbolic nan, left = right"
            ] += 1
            return False
        self.fail(self._missing_value_category())
        return True

    def _tolerance(self, value: float, unc: float) -> float:
        """How far ``symbolic`` may be from the truth.

        derivcli documents its value as exact (MPFR at the very float point,
        rounded once), at single points and at every grid point alike (a long
        grid uses float64 only where its error estimate is below 1e-10
        relative), so only relative 1e-9 and absolute 1e-15 near 0 are
        allowed: a reference spoiled by cancellation or by a huge argument
        (``cos(y + 5/2)`` at 1e308) is a finding, on a grid too.
        """
        return RTOL_VALUE * abs(value) + 2 * unc + ATOL_VALUE

    def _sides_carry(self, value: float, unc: float) -> bool:
        left, right = number(self.result.get("left")), number(self.result.get("right"))
        return all(
            s is not None and abs(s - value) <= RTOL_SIDE * abs(value) + ATOL_SIDE + 2 * unc
            for s in (left, right)
        )

    def _convention_for_value(self, value: float, unc: float) -> bool:
        if self.truth.on_kink and self._sides_carry(value, unc):
            if self.result.get("verdict") != "agree":
                key = "smooth kink: closed form at sign(0)=0/heaviside(0)=1/2"
                self.checker.tally.conventions[key] += 1
                return True
        return False

    def _closed_form(self) -> oracle.ClosedForm:
        if self._cf is None:
            derivative = self.result.get("derivative")
            self._cf = oracle.ClosedForm(None, -math.inf)
            if derivative is not None and self.checker._parses_back(derivative):
                try:
                    self._cf = oracle.evaluate_text(derivative, self.point)
                except Exception:
                    pass
        return self._cf

    def _wrong_value_category(self, value: float, unc: float) -> str:
        cf = self._closed_form()
        if cf.value is None:
            return "(a) wrong value: closed form undefined here"
        if abs(float(cf.value) - value) <= RTOL_VALUE * abs(value) + 2 * unc + ATOL_VALUE:
            return "(a) wrong value: closed form right, its value wrong"
        return "(a) wrong value: wrong closed form"

    def _missing_value_category(self) -> str:
        cf = self._closed_form()
        if self.result.get("derivative") is None:
            return "(a) no closed form"
        if cf.value is None:
            return "(a) no value: closed form undefined where the derivative exists"
        return "(a) no finite value though the closed form is finite here"

    # (b) -----------------------------------------------------------------
    def _classification_wrong(self, finite: bool) -> bool:
        t, d = self.truth, self.diff
        if t.differentiable:
            if not finite:
                return False  # beyond float64: "not computed" or inf are both fine
            if d is False:
                why = _derivcli_reason(self.note)
                if why != "a jump" and self._sides_below_resolution():
                    self.checker.tally.inconclusive[BELOW_RESOLUTION] += 1
                    return True
                if why != "a jump" and self._difference_below_bound():
                    self.checker.tally.inconclusive[BELOW_ORACLE_BOUND] += 1
                    return True
                if why == "a jump" and _jump_size(self.note) <= TINY_SIDE:
                    # erf(min(100*E, log(z) + 100*E)) at 1: f' jumps by 1e-32090
                    self.checker.tally.inconclusive[BELOW_RESOLUTION] += 1
                    return True
                if why == "a jump" and len(set(self.result.get("variables") or ())) > 1:
                    # f jumps along one variable; the iterated partial exists
                    # (z - heaviside(x), d/dz then d/dx, at x=0)
                    why = "f jumps along a variable of a mixed partial"
                self.fail(f"(b) differentiable point called not differentiable ({why})")
                return True
            if d is None:
                self.fail("(b) not computed though the derivative is a finite float64")
                return True
            return False
        if d is True:
            self.fail(f"(b) not differentiable ({_short_reason(t.reason)}) called differentiable")
            return True
        if d is None:
            self.fail(
                f"(b) not differentiable ({_short_reason(t.reason)}) reported as not computed"
            )
            return True
        return False

    def _difference_below_bound(self) -> bool:
        """Whether derivcli's note says its sides differ by less than the oracle's
        error bound on its two sides: max(x + 1e-300, 1e-300 - x)**3 at 0 is
        (|x| + 1e-300)**3, with slopes -3e-600 and 3e-600 (by hand), where the
        oracle's sides are 0 within 1.9e-65 (fuzz seed 77). The oracle cannot
        tell such a difference from none."""
        found = re.search(r"the two differ by (\S+),", self.note)
        left, right = self.truth.left, self.truth.right
        if not found or left.kind != "finite" or right.kind != "finite":
            return False
        return bool(float(found.group(1)) <= left.unc + right.unc)

    def _sides_below_resolution(self) -> bool:
        """Whether derivcli's sides differ from the oracle's only below what the
        oracle resolves: an oracle side that is 0 within 2**-1100, against a
        side of derivcli's that is as small (1e-391 shows as 0.0) or infinite
        (1e-391 * h**(-2/3))."""
        pairs = (
            (self.result.get("left"), self.truth.left),
            (self.result.get("right"), self.truth.right),
        )
        unresolved = False
        for got, side in pairs:
            value = number(got)
            if side.unresolved:
                unresolved = True
                if value is not None and not (math.isinf(value) or abs(value) <= TINY_SIDE):
                    return False
        return unresolved

    # (c) -----------------------------------------------------------------
    def _check_sides(self) -> None:
        r = self.result
        left, right = r.get("left"), r.get("right")
        if left is None and right is None and self.diff is not False:
            return
        for got, side in ((left, self.truth.left), (right, self.truth.right)):
            value = number(got)
            if side.unresolved and value is not None and math.isinf(value):
                self.checker.tally.inconclusive[BELOW_RESOLUTION] += 1
                return
            problem = _side_problem(value, side)
            if problem:
                self.fail(f"(c) {problem}")
                return


def _side_problem(got: float | None, side: oracle.Side) -> str:
    if side.kind in ("none", "jump", "inconclusive"):
        return ""
    if side.kind == "undefined":
        return "" if got is None else "one-sided derivative where f is undefined on that side"
    if got is None:
        return "one-sided derivative reported undefined, but it exists"
    if side.kind == "infinite":
        ok = math.isinf(got) and (got > 0) == (side.value > 0)
        return "" if ok else "wrong one-sided derivative (the true one is infinite)"
    if abs(side.value) > sys.float_info.max:
        # past float64: JSON has inf of its sign, and the note gives its size (the
        # right derivative of polygamma(2, floor(x)*pi**x) at -1000 is -1.93e+1483);
        # float() of it is inf too, and inf - inf compared as nan, or -inf as +inf
        ok = math.isinf(got) and (got > 0) == (side.value > 0)
        return "" if ok else "wrong one-sided derivative"
    value, unc = float(side.value), float(side.unc)
    if abs(got - value) <= RTOL_SIDE * abs(value) + ATOL_SIDE + 2 * unc:
        return ""
    return "wrong one-sided derivative"


# ------------------------------------------------------------ a whole run


@dataclass
class Run:
    tally: Tally
    seconds: float
    cases: list[Case]


def grade(cases: Sequence[Case]) -> Run:
    """Run ``cases`` through one ``derivcli batch`` and grade every answer."""
    started = time.monotonic()
    answers = run_batch(cases)
    checker = Checker()
    for i, case in enumerate(cases):
        checker.check_line(case, answers.get(i))
    for raw in answers.get(-1, []):
        checker.tally.findings.append(Finding("crash: a line that is not JSON", cases[0], raw, ""))
    if -2 in answers:
        checker.tally.findings.append(
            Finding("crash: a traceback on stderr", cases[0], answers[-2][-300:], "")
        )
    return Run(checker.tally, time.monotonic() - started, list(cases))


def fuzz(seed: int, count: int) -> Run:
    """Generate ``count`` cases from ``seed``, run them, grade them."""
    return grade(generate(seed, count))


# Defects seen before, one reproducer each: (command, expression, --at, --wrt, order).
KNOWN: list[tuple[str, str, str, tuple[str, ...], int]] = [
    ("grad", "relu(x*cos(3)**-1)", "x=2.0", (), 1),  # a constant evaluated as complex
    ("grad", "relu(exp(x) - 1)", "x=-2.29", (), 1),  # E inside a kink: complex, nan
    ("grad", "1/relu(x)", "x=-1.0", (), 1),  # RuntimeError: Not Implemented
    ("grad", "log(1 + exp(x))", "x=1000.0", (), 1),  # float64 overflow poisons the value
    ("grad", "abs(x)**3 + log(x + 1e-5)", "x=0.0", (), 1),  # probes 1e-4 away: coarse
    ("grad", "relu(x)", "x=5e-324", (), 1),  # a tiny argument taken for the kink
    ("grad", "log(x)*abs(log(x))", "x=1.0", (), 1),  # sides 3e-12 apart: a false kink
    ("grad", "acos(x**1.5)", "x=0.0", (), 1),  # a domain edge hidden
    ("grad", "sigmoid(ln(t))", "t=0.0", (), 1),  # f undefined, called differentiable
    ("partial", "x**y", "x=0.0,y=2.0", ("y",), 1),  # 0**y: the derivative is 0
    ("grad", "relu(log(y))**2", "y=-1.0:3.0:13", (), 1),  # a grid misses log(0)
    ("grad", "min(sin(E), 2*y - 1 + sin(E))", "y=0.5", (), 1),  # a kink of min missed
    ("grad", "max(cos(y) - 1, 0)", "y=0.0", (), 3),  # max(..., 0) = 0: no jump
    ("grad", "y", "y=-3.0:3.0:11", (), 1),  # grid points: not torch.linspace's
    # found by this fuzzer
    ("partial", "sin(-(y + 2.5))", "y=1e308", ("y",), 3),  # 256 bits: cos(1e308 + 5/2) wrong
    ("grad", "acos(2 - exp(z))/1e300", "z=0.0", (), 1),  # right side inf, shown as 7e-297
    ("grad", "sign(y)*y**2*1e-20", "y=0.0", (), 2),  # sides -2e-20 and 2e-20 called equal
    ("partial", "atan(1/y) - y", "y=1e-300", ("y",), 1),  # autograd's nan taken as a pole
    ("grad", "acos(1 - y)**2", "y=0.0", (), 1),  # a left derivative where f is undefined
    ("partial", "abs(x - 4)**2", "x=4.0", ("x",), 3),  # sign(0) = 0 mid-way: a false jump
    ("grad", "y**0.5*y", "y=-1e300", (), 2),  # f undefined: exit 3 'not computed'
    # found grading the exact semantics (f and kinks exact at the float point)
    ("grad", "atanh(tanh(y))", "y=400.0", (), 1),  # tanh rounds to 1 at 256 bits: a pole
    ("grad", "atanh(cos(y))", "y=1e-300", (), 1),  # cos rounds to 1: a pole, not -1e300
    ("grad", "log(1 - cos(x))", "x=1e-100", (), 1),  # the sum cancels to 0: a pole
    ("grad", "acos(cos(y))", "y=1e-300", (), 1),  # sides from values rounded to acos(1): 0
    ("grad", "asin(cosh(z))", "z=0.0", (), 1),  # cosh rounds to 1 beside 0: differentiable
    ("grad", "log(exp(x))", "x=-1e20", (), 1),  # exp underflows MPFR to 0: a pole
    ("grad", "x**exp(x)", "x=-1e20", (), 1),  # ... (-1e20)**0: defined
    ("grad", "log(sigmoid(x))", "x=-1e20", (), 1),  # exp overflows inside sigmoid
    ("grad", "1e20*x + abs(x)", "x=0.0", (), 1),  # sides 1e20 - 1 and 1e20 + 1 called equal
    ("grad", "(y - 4)**y * 0", "y=4.0", (), 1),  # base 0, exponent moving: edge missed
    ("partial", "z - heaviside(x)", "x=0.0,z=0.0", ("z", "x"), 1),  # d/dz is 1 for every x
    ("partial", "(2*z - 1)**x", "x=3.0,z=0.5", ("x", "z"), 1),  # right side 0 reported null
    ("grad", "exp(log(x - x))", "x=1.0", (), 1),  # symengine's RuntimeError: exit 3
    ("grad", "(-1)**(x/7)", "x=1.0", (), 1),  # symengine's Complex: exit 3, not 2
    ("grad", "sqrt(z**2)", "z=0.0", (), 2),  # f' jumps at a corner: no f''
    ("partial", "relu(z)*sin(z)", "z=-1.0:1.0:20001", ("z",), 1),  # 0 + 0 refined to 16k bits
    # ... and kept: past the memory budget
    ("partial", "exp(heaviside(1.5 - x)*(1.5 - x)**2)", "x=1.0:2.0:20001", ("x",), 3),
    # d/dx exists on the line x=0 only at z=0: d/dz of it does not (not heaviside(0)*1)
    ("partial", "relu(x)*z", "x=0.0,z=0.0", ("x", "z"), 1),
    # found with the 70-function language
    ("grad", "abs(x) + floor(x)", "x=0.0", (), 1),  # gmpy2.floor is an mpz: TypeError
    ("grad", "hardsigmoid(x)", "x=1.0", (), 2),  # torch has no 2nd derivative: no closed form
    # polygamma's float64 builder takes one argument: a long grid's screen fails
    ("partial", "polygamma(1, x)*sin(x)*cos(x)*exp(x)", "x=0.5:1.5:20001", ("x",), 1),
    ("grad", "hypot(z, z)", "z=1e-100", (), 2),  # rounding noise / h taken for a limit
    ("partial", "logsumexp(y, trunc(x))", "x=-2.0,y=710.0", ("x",), 1),  # f jumps by 1e-309
    # f'' is 0 (f = sqrt(2)*z there): a side of 9.6e-232 is noise over a step of 1e-154*2**-k
    ("grad", "hypot(hardtanh(z, 0), z)", "z=1e-154", (), 2),
    # sign(x**1.25) carried x**1.25's 1e385 as its rounding: a kink of relu (seed 45)
    ("partial", "leaky_relu(cbrt(x**1.25))", "x=1e+308", ("x",), 1),
    ("grad", "1**1e20 + 0.5 * y", "y=-1.42e-05", (), 2),  # symengine's powint: exit 3
]


def known_cases() -> list[Case]:
    """The KNOWN reproducers as cases (grids expanded with torch.linspace)."""
    cases = []
    for i, (command, text, at, wrt, order) in enumerate(KNOWN):
        point: dict[str, float] = {}
        grid: tuple[str, list[float]] | None = None
        for item in at.split(","):
            name, value = item.split("=")
            if ":" in value:
                start, stop, size = value.split(":")
                grid = (name, torch_linspace(float(start), float(stop), int(size)))
            else:
                point[name] = float(value)
        points = tuple({**point, grid[0]: g} for g in grid[1]) if grid else (point,)
        expr = Expr("text", text=text)
        count = len(points) if grid else 0
        cases.append(Case(i, "known", expr, command, wrt, order, (at,), points, count))
    return cases


def by_category(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.category, []).append(f)
    return dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))


def smallest(findings: Sequence[Finding]) -> Finding:
    return min(findings, key=lambda f: (f.case.expr.size(), len(f.reproducer)))


def summary(run: Run, shrunk: Mapping[str, Finding] | None = None) -> str:
    t = run.tally
    lines = [
        f"cases {t.cases}, results {t.results}, graded {t.graded}, "
        f"inconclusive {sum(t.inconclusive.values())}, "
        f"conventions {sum(t.conventions.values())}, findings {len(t.findings)} "
        f"({len({id(f.case) for f in t.findings})} cases), {run.seconds:.1f} s",
    ]
    groups = by_category(t.findings)
    if groups:
        lines.append("findings by category:")
    for category, items in groups.items():
        best = (shrunk or {}).get(category) or smallest(items)
        lines.append(f"  {len(items):5d}  {category}")
        lines.append(f"         $ {best.reproducer}")
        lines.append(f"           {best.detail}")
    if t.inconclusive:
        lines.append("inconclusive (oracle cannot tell; skipped):")
        lines += [f"  {n:5d}  {why}" for why, n in t.inconclusive.most_common()]
    if t.conventions:
        lines.append("documented conventions (not findings):")
        lines += [f"  {n:5d}  {why}" for why, n in t.conventions.most_common()]
    return "\n".join(lines)


# ------------------------------------------------------------ shrinking (by hand)


def _subtrees(e: Expr) -> Iterable[Expr]:
    yield e
    for a in e.args:
        yield from _subtrees(a)


def _replacements(e: Expr) -> Iterable[Expr]:
    """Smaller expressions: each node replaced by one of its children or by a leaf."""
    for i, a in enumerate(e.args):
        for smaller in _replacements(a):
            yield replace(e, args=e.args[:i] + (smaller,) + e.args[i + 1 :])
    yield from e.args
    if e.op not in ("num", "var", "const"):
        yield num("1")
        yield num("0")


def _variant(case: Case, expr: Expr, point: Mapping[str, float]) -> Case | None:
    try:
        used = oracle.expression_variables(expr.render())
    except Exception:
        return None
    specs_vars = set(case.wrt)
    if not used or not specs_vars <= set(used):
        return None
    p = {n: point[n] for n in used if n in point}
    if len(p) != len(used):
        return None
    at = (",".join(f"{n}={p[n]!r}" for n in used),)
    return replace(case, expr=expr, at=at, points=(p,), grid_count=0, kind="shrunk")


def shrink(finding: Finding, client: BatchClient, budget: int = 120) -> Finding:
    """A smaller case with a finding of the same category (greedy, at one point)."""
    category = finding.category
    checker = Checker()
    best = finding
    if finding.point is None:
        return best
    point = dict(finding.point)
    current = _variant(finding.case, finding.case.expr, point)
    tries = 0

    def same(case: Case) -> Finding | None:
        nonlocal tries
        tries += 1
        found = checker.check_line(case, client.ask(case))
        return next((f for f in found if f.category == category), None)

    if current is None or (hit := same(current)) is None:
        return best
    best = hit
    improved = True
    while improved and tries < budget:
        improved = False
        for smaller in _replacements(current.expr):
            if tries >= budget:
                break
            candidate = _variant(current, smaller, point)
            if candidate is None or smaller.size() >= current.expr.size():
                continue
            hit = same(candidate)
            if hit is not None:
                current, best, improved = candidate, hit, True
                break
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--no-shrink", action="store_true", help="report reproducers as generated")
    parser.add_argument(
        "--all", action="store_true", help="list every finding, not one per category"
    )
    args = parser.parse_args(argv)
    run = fuzz(args.seed, args.cases)
    shrunk: dict[str, Finding] = {}
    if not args.no_shrink and run.tally.findings:
        client = BatchClient()
        try:
            for category, items in by_category(run.tally.findings).items():
                try:
                    shrunk[category] = shrink(smallest(items), client)
                except Exception:  # keep the unshrunk reproducer
                    traceback.print_exc()
        finally:
            client.close()
    print(f"derivcli differential fuzzing: seed {args.seed}, {args.cases} cases")
    print(summary(run, shrunk))
    if args.all:
        for f in run.tally.findings:
            print(f"{f.category}\n  $ {f.reproducer}\n    {f.detail}")
    return 1 if run.tally.findings else 0


if __name__ == "__main__":
    sys.exit(main())
