"""Stage 2 of the pipeline: the closed-form derivative, with symengine.

Why symengine and not sympy for the calculus: sympy's automatic evaluation
grows about 7x per level on chains like ``tanh(sin(...)+x)`` and its ``diff``
takes seconds to minutes on ordinary higher-order derivatives (24 s for
the chain at depth 7); symengine, sympy's C++ sister engine, builds and
differentiates the same expressions in microseconds to milliseconds.

The tree from ``language/parser.py`` is translated node by node (a fold);
nothing is ever handed to ``sympify``/``subs`` as text. A function with a
definition in the table (silu is a*sigmoid(a)) is built from it. Functions
symengine knows are used natively. The other primitives (relu, abs, sigmoid,
gamma, ...) are opaque symengine functions whose derivative comes from the
function table, written in derivcli's own language: after each differentiation step the
``Derivative``/``Subs`` nodes symengine leaves for them are replaced with
that rule.

The result goes back into derivcli's own tree (:func:`to_tree`), in the order
a reader expects (``x**2 + 2*x + 1``, ``x*cos(x) + sin(x)``, ``-sin(x)``,
``x/(x**2 + 1)``): everything after this module (values, kinks, printing,
LaTeX) works on derivcli's trees, and symengine stays here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import symengine as se

from derivcli.errors import BudgetError, CannotComputeError, InputError, LimitError
from derivcli.language.definitions import definition_of, expand
from derivcli.language.evaluate import (
    CANCELLATION_MARGIN,
    MAX_PRECISION,
    PRECISION,
    Exact,
    Program,
    compile_tree,
    exact_constant,
    exact_value,
    gmpy2,
)
from derivcli.language.functions import (
    ARGUMENT_NAMES,
    by_symengine_name,
    lookup_constant,
    lookup_function,
)
from derivcli.language.parser import Expression, parse
from derivcli.language.printer import to_text as to_source
from derivcli.language.tree import (
    BinaryOp,
    Call,
    Constant,
    Fold,
    Negate,
    Node,
    Number,
    Variable,
    any_node,
    fold,
    number_node,
    short_decimal,
)

# Exact integers are computed when both sides of ** are numbers; beyond this
# many bits the number is refused instead of eating memory and time.
MAX_EXACT_BITS = 4096
# A closed form larger than this many operations stops the differentiation.
MAX_CLOSED_FORM_OPS = 2_000_000

_OPAQUE: dict[str, Any] = {}


def _opaque(name: str) -> Any:
    if name not in _OPAQUE:
        _OPAQUE[name] = se.Function(name)
    return _OPAQUE[name]


def symbol(name: str) -> Any:
    """The symengine symbol for a derivcli variable (all are real)."""
    return se.Symbol(name)


# ---------------------------------------------------------------- building


def build(expression: Expression) -> Any:
    """Translate a parsed expression into a symengine expression (functions with a
    definition written out: symengine sees primitives only)."""
    env = {name: symbol(name) for name in expression.variables}
    return fold(expand(expression.tree), SymengineBuilder(env))


def _symengine_number(value: Fraction) -> Any:
    if value.denominator == 1:
        return se.Integer(value.numerator)
    return se.Rational(value.numerator, value.denominator)


class SymengineBuilder(Fold[Any]):
    """A tree as a symengine expression; constant parts are checked on the way
    (a finite real number, of at most MAX_EXACT_BITS)."""

    def __init__(self, env: Mapping[str, Any]) -> None:
        self.env = env

    def number(self, node: Number) -> Any:
        return _symengine_number(node.value)

    def variable(self, node: Variable) -> Any:
        return self.env[node.name]

    def constant(self, node: Constant) -> Any:
        constant = lookup_constant(node.name)
        assert constant is not None
        return getattr(se, constant.symengine)

    def negate(self, node: Negate, operand: Any) -> Any:
        return -operand

    def call(self, node: Call, args: list[Any]) -> Any:
        spec = lookup_function(node.name)
        assert spec is not None
        text = definition_of(spec, len(args))
        if text is not None:
            # silu(a) is a*sigmoid(a): built from its definition, with a, b, ...
            # the arguments already built and missing parameters at their defaults
            filled = list(args) + [
                _symengine_number(Fraction(str(p.default)))
                for p in spec.params[len(args) - spec.arity :]
                if p.default is not None
            ]
            template = expand(parse(text, template=True).tree)
            return fold(template, SymengineBuilder(dict(zip(ARGUMENT_NAMES, filled, strict=False))))
        if spec.symengine is not None:
            return _real_or_reject(getattr(se, spec.symengine)(*args), node)
        if not any_node(node, lambda n: isinstance(n, Variable)):
            # symengine knows no pole of an opaque function: gamma(0), erfinv(1),
            # log1p(-1) are refused here as log(0) is (the exact evaluation knows
            # them), and gamma(1e10), past MPFR's range, as exp(1e20) is
            _refuse_undefined_constant(node, refuse_lost=False)
            if _zero_up_to_rounding(node):
                # symengine cannot see that sinc(100) = sin(100*pi)/(100*pi) is 0, as
                # it sees sin(pi) is: 0 up to every precision tried is taken as 0
                return se.Integer(0)
        return _opaque(spec.name)(*args)

    def binary(self, node: BinaryOp, left: Any, right: Any) -> Any:
        if node.op == "+":
            return _check_exact_size(left + right, node.column)
        if node.op == "-":
            return _check_exact_size(left - right, node.column)
        if node.op == "*":
            return _check_exact_size(left * right, node.column)
        if node.op == "/":
            if right == _ZERO:
                raise InputError(f"division by zero at column {node.column}", column=node.column)
            return _check_exact_size(left / right, node.column)
        _check_exact_power(left, right, node.column)
        if left == _ONE and isinstance(right, se.Integer):
            # symengine's powint fails on 1**(10**20) (an exponent past 64 bits)
            return se.Integer(1)
        try:
            power = left**right
        except RuntimeError:
            # (y + y)**1e300 is 2**(10**300)*y**(10**300) to symengine, whose
            # integer powers stop at 64-bit exponents (found by fuzz seed 69)
            raise LimitError(
                f"the power at column {node.column} cannot be formed exactly: its base "
                f"has a number factor and its exponent, {to_source(node.right)}, is past "
                "the 64-bit integer powers the symbolic engine computes",
                column=node.column,
            ) from None
        return _real_or_reject(power, node)


def _zero_up_to_rounding(node: Node) -> bool:
    """Whether a constant call's value is rounding noise around 0: at 256 and at
    1,024 bits it is below its own rounding and the two do not agree (sinc(100)
    is about 1e-77, then 1e-308: sin(100*pi) with pi rounded)."""
    program = compile_tree(node)
    coarse = exact_value(program, {}, 256, refine=False)
    fine = exact_value(program, {}, 1024, refine=False)
    if coarse.value is None or fine.value is None:
        return False
    last = len(program) - 1
    if not (coarse.is_zero(last) and fine.is_zero(last)):
        return False
    return bool(fine.value == 0 or abs(coarse.value - fine.value) > abs(fine.value) / 2)


def _finite_real(value: Any) -> bool:
    """Whether a constant symengine value is a finite real number (not zoo, nan, I)."""
    if value.has(se.zoo) or value.has(se.nan) or value.has(se.oo) or value.has(se.I):
        return False
    return True


def _written(node: Node) -> str:
    """The text of a node as the user wrote it: a function written out from its
    definition (factorial(-1) as gamma(-1 + 1)) is named by the user's call."""
    origin = getattr(node, "origin", None)
    return to_source(origin if origin is not None else node)


def _real_or_reject(value: Any, node: Node) -> Any:
    """Refuse a constant part that is not a finite real number (log(0), sqrt(-1),
    (-8)**(1/3), acos(2)): evaluated exactly, in real numbers, as written."""
    if value.free_symbols or isinstance(value, (se.Integer, se.Rational)):
        return value
    if any_node(node, lambda n: isinstance(n, Variable)):
        # constant only once simplified (exp(z/z)): as written, it is not; but
        # log(x - x) is log(0) for every x, and symengine cannot go on from it
        if not _finite_real(value):
            raise InputError(
                f"'{_written(node)}' at column {node.column} is not a finite real number "
                "for any value of its variables",
                column=node.column,
            )
        return value
    if not _finite_real(value):
        # symengine knows tan(-pi/2) is a pole (zoo) where 256 bits of pi only
        # give 1e77; going on with zoo crashed later (exp of zoo)
        raise InputError(
            f"'{_written(node)}' at column {node.column} is not a finite real number",
            column=node.column,
        )
    _refuse_undefined_constant(node, refuse_lost=True)
    return value


def _refuse_undefined_constant(node: Node, *, refuse_lost: bool) -> None:
    """Refuse a constant call the exact evaluation finds no real value for: a pole
    or a point outside the domain (exit 2, as the README's limits say), or a value
    past MPFR's range. ``refuse_lost``: also one left to rounding (a sum that
    cancels past MAX_PRECISION); an opaque call keeps that to the point's verdict,
    as before."""
    outcome = exact_constant(node)
    undefined = outcome.undefined
    if undefined is None:
        return
    if undefined.kind in ("overflow", "underflow"):
        size = "large" if undefined.kind == "overflow" else "small"
        raise LimitError(
            f"'{_written(node)}' at column {node.column} is "
            f"{'finite' if size == 'large' else 'nonzero'} but too {size} for any number "
            "format derivcli computes with (past about 2**(+-2**30))",
            column=node.column,
        )
    if undefined.lost:
        if refuse_lost:
            raise LimitError(
                f"'{_written(node)}' at column {node.column} cannot be evaluated: "
                f"{undefined.describe()}",
                column=node.column,
            )
        return
    raise InputError(
        f"'{_written(node)}' at column {node.column} is not a finite real number",
        column=node.column,
    )


def _check_exact_size(value: Any, column: int) -> Any:
    """Refuse an exact number (e.g. 1e300*1e300*...) beyond MAX_EXACT_BITS.

    The number may also be the coefficient of a product or the constant of a
    sum (x*1e300*1e300*...: symengine folds the numbers into x's coefficient);
    symengine keeps that number first among the arguments.
    """
    if isinstance(value, (se.Mul, se.Add)):
        _check_exact_size(value.args[0], column)
        return value
    if isinstance(value, se.Rational) or isinstance(value, se.Integer):
        p, q = value.get_num_den()
        bits = max(int(p).bit_length(), int(q).bit_length())
        if bits > MAX_EXACT_BITS:
            raise LimitError(
                f"the number built at column {column} has about {bits:,} bits; "
                f"exact numbers are limited to {MAX_EXACT_BITS:,} bits",
                column=column,
            )
    return value


def _check_exact_power(base: Any, exponent: Any, column: int) -> None:
    """Refuse number**number whose exact value would be astronomically large."""
    if not (isinstance(base, se.Number) and isinstance(exponent, se.Number)):
        return
    if not isinstance(exponent, se.Integer):
        return
    try:
        magnitude = abs(Fraction(str(base)))
    except ValueError:
        return
    if magnitude in (0, 1):
        return
    size = max(abs(magnitude.numerator), abs(magnitude.denominator))
    # size**e has floor(e*log2(size)) + 1 bits (2**2100 has 2,101; the bit length
    # of 2 times 2,100 said 4,200 and refused it)
    bits = math.floor(abs(int(exponent)) * math.log2(size)) + 1
    if bits > MAX_EXACT_BITS:
        raise LimitError(
            f"the power at column {column} is a number of about {bits:,} bits; "
            f"exact numbers are limited to {MAX_EXACT_BITS:,} bits",
            column=column,
        )


# ---------------------------------------------------------------- derivative rules

_RULES: dict[str, tuple[Any, ...]] = {}


def _rules(name: str) -> tuple[Any, ...]:
    """The parsed partial derivatives of an opaque function, in terms of a and b."""
    if name not in _RULES:
        spec = lookup_function(name)
        assert spec is not None and spec.derivative
        _RULES[name] = tuple(expand(parse(rule, template=True).tree) for rule in spec.derivative)
    return _RULES[name]


def _apply_rule(name: str, index: int, args: Sequence[Any]) -> Any:
    # Built afresh from the rule's tree with a, b, ... bound to the arguments:
    # substituting into a prebuilt rule leaves sums uncanonical (x - (2 - x)).
    env = dict(zip(ARGUMENT_NAMES, args, strict=False))
    return _tidy_arguments(fold(_rules(name)[index], SymengineBuilder(env)))


# symengine keeps -1*(2 - x) unexpanded, so the rule heaviside(a - b) for
# max(x, 2 - x) would read heaviside(x - (2 - x)); small arguments are expanded.
MAX_TIDY_OPS = 40


def _tidy_arguments(expr: Any) -> Any:
    replacements = {}
    for node in expr.atoms(se.FunctionSymbol):
        args = node.args
        if all(se.count_ops(a) <= MAX_TIDY_OPS for a in args):
            tidy = [se.expand(a) for a in args]
            if tidy != list(args):
                replacements[node] = _opaque(node.get_name())(*tidy)
    return expr.xreplace(replacements) if replacements else expr


def _resolve_opaque_derivatives(expr: Any) -> Any:
    """Replace symengine's unevaluated derivatives of opaque functions."""
    replacements: dict[Any, Any] = {}
    for node in expr.atoms(se.Subs):
        derivative, dummies, values = node.args[0], node.args[1], node.args[2]
        dummies = dummies if isinstance(dummies, tuple) else (dummies,)
        values = values if isinstance(values, tuple) else (values,)
        inner, wrt = derivative.args[0], derivative.args[1:]
        if len(wrt) != 1 or not hasattr(inner, "get_name"):
            continue
        # The dummy stands in for the argument being differentiated; its
        # position among the function's arguments picks the rule.
        index = list(inner.args).index(wrt[0])
        args = [a.xreplace(dict(zip(dummies, values, strict=True))) for a in inner.args]
        replacements[node] = _apply_rule(inner.get_name(), index, args)
    for node in expr.atoms(se.Derivative):
        inner, wrt = node.args[0], node.args[1:]
        if len(wrt) != 1 or not hasattr(inner, "get_name"):
            continue
        # d f(..., x, ...)/dx where x appears directly: chain rule through each
        # argument that depends on x.
        total = se.Integer(0)
        for index, arg in enumerate(inner.args):
            darg = se.diff(arg, wrt[0])
            if darg != 0:
                total += _apply_rule(inner.get_name(), index, list(inner.args)) * darg
        replacements[node] = total
    return expr.xreplace(replacements) if replacements else expr


def differentiate(
    expr: Any, variables: Sequence[str], *, deadline: float | None = None
) -> list[Any]:
    """Differentiate once per entry of ``variables``; return every step.

    The list starts with ``expr`` itself, so ``result[k]`` is the k-th
    derivative. Between steps the size and the clock are checked, which
    bounds the work: one step of symengine is fast for any closed form that
    is allowed to reach it.
    """
    steps = [expr]
    current = expr
    # Without opaque functions there is nothing to resolve, and walking a
    # large closed form for them would cost more than differentiating it.
    opaque = has_opaque(expr)
    for count, name in enumerate(variables, start=1):
        if deadline is not None and time.monotonic() > deadline:
            raise BudgetError(
                f"the closed form was not reached within the time budget "
                f"(stopped after {count - 1} of {len(variables)} differentiations)"
            )
        started = time.monotonic()
        current = se.diff(current, symbol(name))
        if opaque:
            current = _resolve_opaque_derivatives(current)
        # Counting is itself linear in the size: only worth it once a step is slow.
        if time.monotonic() - started > SLOW_STEP_SECONDS:
            ops = se.count_ops(current)
            if ops > MAX_CLOSED_FORM_OPS:
                raise BudgetError(
                    f"the closed form grew past {MAX_CLOSED_FORM_OPS:,} operations "
                    f"after {count} of {len(variables)} differentiations"
                )
        steps.append(current)
    return steps


SLOW_STEP_SECONDS = 0.05


def has_opaque(expr: Any) -> bool:
    """Whether ``expr`` uses any of derivcli's opaque functions (relu, abs, ...)."""
    return bool(expr.atoms(se.FunctionSymbol))


# ---------------------------------------------------------------- back to derivcli's tree

# symengine's own names for functions that derivcli spells in lower case
# symengine's names for functions derivcli writes out by a definition: its
# simplification makes them (tan(x + pi/2) is -cot(x)).
_SYMENGINE_NAMES = {
    "Abs": "abs",
    "Max": "max",
    "Min": "min",
    "sign": "sign",
    "cot": "cot",
    "sec": "sec",
    "csc": "csc",
}
# Classes tested by identity instead of comparing values in C++ (pi and E are
# the only instances of theirs): the tree is built for every closed form.
_NUMBERS = (se.Integer, se.Rational)
_PI, _E = type(se.pi), type(se.E)
_CONSTANTS = (*_NUMBERS, _PI, _E)
_HALF = se.Rational(1, 2)
# Numbers compared with symengine's own objects: a Python int on either side
# of == or < is converted (_sympify, through the numbers ABCs) at each
# comparison, about 2-3 us; symengine's objects compare in C++ (0.1-0.6 us),
# with the same answer. A closed form's tree asks a dozen times per line.
_ZERO, _ONE, _MINUS_ONE = se.Integer(0), se.Integer(1), se.Integer(-1)


def to_tree(expr: Any) -> Node:
    """A symengine expression as derivcli's tree, in the order a reader expects.

    Sums list their terms by falling degree (``x**2 + 2*x + 1``; over several
    variables, as sympy does, lexicographically in the sorted variables, then
    functions); a negative term is subtracted. Products put the number first,
    then variables and their powers, then function calls; factors with
    negative exponents form a denominator (``2*x/(x**2 + 1)``); ``E**a`` is
    ``exp(a)`` and ``a**(1/2)`` is ``sqrt(a)``. The same expression gives the
    same tree, hence the same text, on every run: the order depends only on
    the expression's text. Shared subexpressions become shared subtrees, so
    the tree is no larger than symengine's.
    """
    return TreeBuilder().convert(expr)


class TreeBuilder:
    """symengine -> derivcli tree (see :func:`to_tree`); it remembers what it converted."""

    def __init__(self) -> None:
        self.memo: dict[Any, Node] = {}
        self.texts: dict[Any, str] = {}

    def text(self, expr: Any) -> str:
        if expr not in self.texts:
            self.texts[expr] = str(expr)
        return self.texts[expr]

    def convert(self, expr: Any) -> Node:
        node = self.memo.get(expr)
        if node is None:
            node = self._convert(expr)
            self.memo[expr] = node
        return node

    def _convert(self, expr: Any) -> Node:
        if isinstance(expr, se.Symbol):
            return Variable(expr.name)
        if isinstance(expr, _NUMBERS):
            return number_node(_fraction(expr))
        if type(expr) is _PI:
            return Constant("pi")
        if type(expr) is _E:
            return Constant("E")
        kind = type(expr).__name__
        if kind == "Add":
            return self._sum(expr)
        if kind == "Mul":
            return self._product(expr)
        if kind == "Pow":
            return self._power(expr)
        if isinstance(expr, se.FunctionSymbol):
            return Call(expr.get_name(), tuple(self.convert(a) for a in expr.args))
        spec = by_symengine_name(kind)
        name = spec.name if spec is not None else _SYMENGINE_NAMES.get(kind)
        if name is not None:
            return Call(name, tuple(self.convert(a) for a in expr.args))
        if kind in (
            "Infinity",
            "NegativeInfinity",
            "ComplexInfinity",
            "NaN",
            "ImaginaryUnit",
            "Complex",
            "ComplexDouble",
            "ComplexMPC",
        ):
            what = (
                "an infinite constant such as log(0)"
                if kind in ("Infinity", "NegativeInfinity", "ComplexInfinity")
                else "0/0"
                if kind == "NaN"
                else "an imaginary number such as log(-2)"
            )
            raise InputError(
                f"the derivative is not real-valued: differentiating gives {what} "
                "(a constant base of 0 or below under a variable exponent, as in 0**x or "
                "(-2)**x, does that); derivcli works with real expressions only"
            )
        raise CannotComputeError(f"cannot write symengine's {kind} in derivcli's language")

    # -- sums

    def _sum(self, expr: Any) -> Node:
        terms = self._ordered_terms(list(expr.args))
        tree: Node | None = None
        for term in terms:
            negative = _is_negative(term)
            node = self.convert(-term if negative else term)
            if tree is None:
                tree = Negate(node) if negative else node
            else:
                tree = BinaryOp("-" if negative else "+", tree, node)
        assert tree is not None
        return tree

    def _ordered_terms(self, terms: list[Any]) -> list[Any]:
        if len(terms) == 2:
            # sympy's one exception, kept for familiarity: a positive constant
            # and a negative multiple of something read "1 - x**2", "2 - 2*x"
            constant = [t for t in terms if _is_constant(t) and not _is_negative(t)]
            if len(constant) == 1:
                other = terms[1] if terms[0] is constant[0] else terms[0]
                if type(other).__name__ == "Mul" and _is_negative(other):
                    return [constant[0], other]
        monomials = [_monomial(term) for term in terms]
        gens = sorted({gen for monomial in monomials for gen in monomial}, key=self._factor_key)
        position = {gen: i for i, gen in enumerate(gens)}

        def key(i: int) -> tuple[tuple[float, ...], str]:
            exponents = [0.0] * len(gens)
            for gen, exponent in monomials[i].items():
                exponents[position[gen]] = -exponent  # falling degree first
            return tuple(exponents), self.text(terms[i])

        return [terms[i] for i in sorted(range(len(terms)), key=key)]

    def _factor_key(self, expr: Any) -> tuple[int, str]:
        """Variables first, then calls, then the rest; by text within each."""
        base = expr.args[0] if type(expr).__name__ == "Pow" else expr
        base = expr if type(base) is _E else base
        if _is_constant(base):
            rank = -1  # pi*x, like 2*x
        elif isinstance(base, se.Symbol):
            rank = 0
        elif type(base).__name__ in ("Add", "Mul", "Pow"):
            rank = 2
        else:
            rank = 1  # a function call, exp(...)
        return rank, self.text(base)

    # -- products and powers

    def _product(self, expr: Any) -> Node:
        coefficient = Fraction(1)
        numerator: list[Any] = []
        denominator: list[Any] = []
        for factor in expr.args:
            if isinstance(factor, _NUMBERS):
                coefficient *= _fraction(factor)
            elif _negative_power(factor):
                base, exponent = factor.args
                denominator.append(base if exponent == _MINUS_ONE else base ** (-exponent))
            else:
                numerator.append(factor)
        numerator.sort(key=self._factor_key)
        denominator.sort(key=self._factor_key)
        top = [self.convert(f) for f in numerator]
        bottom = [self.convert(f) for f in denominator]
        decimal = short_decimal(abs(coefficient))
        if decimal is not None:
            top.insert(0, Number(abs(coefficient), decimal))  # 5e-7*x, not x/2000000
        else:
            if abs(coefficient.numerator) != 1 or not top:
                top.insert(0, number_node(Fraction(abs(coefficient.numerator))))
            if coefficient.denominator != 1:
                bottom.insert(0, number_node(Fraction(coefficient.denominator)))
        tree = _chain("*", top)
        if bottom:
            tree = BinaryOp("/", tree, _chain("*", bottom))
        return Negate(tree) if coefficient < 0 else tree

    def _power(self, expr: Any) -> Node:
        base, exponent = expr.args
        if type(base) is _E:
            return Call("exp", (self.convert(exponent),))
        if _negative_power(expr):
            positive = base if exponent == _MINUS_ONE else base ** (-exponent)
            return BinaryOp("/", number_node(Fraction(1)), self.convert(positive))
        if exponent == _HALF:
            return Call("sqrt", (self.convert(base),))
        return BinaryOp("**", self.convert(base), self.convert(exponent))


def _fraction(number: Any) -> Fraction:
    p, q = number.get_num_den()
    q = int(q)
    # symengine's rationals are in lowest terms: an integer needs no gcd
    return Fraction(int(p)) if q == 1 else Fraction(int(p), q)


def _chain(op: str, nodes: list[Node]) -> Node:
    tree = nodes[0]
    for node in nodes[1:]:
        tree = BinaryOp(op, tree, node)
    return tree


def _negative_power(expr: Any) -> bool:
    """base**(negative number), E excepted (exp(-x) stays exp(-x))."""
    if type(expr).__name__ != "Pow":
        return False
    base, exponent = expr.args
    return type(base) is not _E and isinstance(exponent, _NUMBERS) and exponent.is_negative


def _is_constant(term: Any) -> bool:
    return isinstance(term, _CONSTANTS)


def _is_negative(term: Any) -> bool:
    """A term written with a leading minus: a negative number or coefficient."""
    if isinstance(term, _NUMBERS):
        return bool(term.is_negative)
    if type(term).__name__ == "Mul":
        first = term.args[0]
        return isinstance(first, _NUMBERS) and bool(first.is_negative)
    return False


def _monomial(term: Any) -> dict[Any, float]:
    """A term's factors and their exponents (numbers left out): x**2*sin(x) -> {x: 2, sin(x): 1}."""
    factors = term.args if type(term).__name__ == "Mul" else (term,)
    monomial: dict[Any, float] = {}
    for factor in factors:
        if _is_constant(factor):
            continue
        if type(factor).__name__ == "Pow":
            base, exponent = factor.args
            if type(base) is not _E and isinstance(exponent, _NUMBERS):
                p, q = exponent.get_num_den()
                monomial[base] = monomial.get(base, 0.0) + int(p) / int(q)  # rounded once
                continue
        monomial[factor] = monomial.get(factor, 0.0) + 1.0
    return monomial


def to_text(expr: Any) -> str:
    """The closed form in derivcli's syntax (parseable by ``parser.parse``)."""
    return to_source(to_tree(expr))


# ---------------------------------------------------------------- closed forms of any size

# Closed forms up to this many operations are turned into derivcli's tree,
# printed in the familiar order and compiled for the exact evaluator. Larger
# ones (the 5th derivative of a product of 20 factors has 480,000) would take
# seconds to reorder and compile in Python: symengine prints them (its own
# order, still derivcli's syntax) and evaluates them (see HugeForm).
READABLE_OPS = 4_000


@dataclass
class Form:
    """One closed form, ready to print and to evaluate exactly."""

    text: str
    tree: Node | None  # derivcli's tree (None for a HugeForm)
    program: Program | None  # its compiled form (None for a HugeForm)
    evaluate: Callable[[Mapping[str, Any]], Exact]


def readable(expr: Any, trees: TreeBuilder | None = None) -> tuple[str, Node | None]:
    """A closed form's text as derivcli prints it, and its tree when it has one.

    Up to READABLE_OPS operations: derivcli's tree in the reader's order and
    its text; beyond, symengine's own text (still derivcli's syntax) and no
    tree. Every printed closed form (``render``, the steps of a derivation)
    goes through here, so the same expression reads the same everywhere.
    ``trees``: a builder shared by related closed forms (the steps of one
    derivation), which converts their common parts once.
    """
    if se.count_ops(expr) <= READABLE_OPS:
        tree = (trees or TreeBuilder()).convert(expr)
        return to_source(tree), tree
    return str(expr), None


def render(expr: Any) -> Form:
    """A closed form as text and as an exact evaluator, whatever its size."""
    text, tree = readable(expr)
    if tree is not None:
        program = compile_tree(tree)
        return Form(text, tree, program, lambda point: exact_value(program, point))
    huge = HugeForm(expr)
    return Form(text, None, None, huge.exact)


def lower_form(expr: Any) -> tuple[Node, Program]:
    """A lower-order derivative as a tree and a program (not printed, so a large
    one skips the reader's order)."""
    small = se.count_ops(expr) <= READABLE_OPS
    tree = to_tree(expr) if small else _RawTree().convert(expr)
    return tree, compile_tree(tree)


class HugeForm:
    """A closed form too large to handle node by node in Python.

    symengine substitutes the exact point (as MPFR numbers) and evaluates in
    C++ at 256 and at 512 bits; when both give the same real number (to 64
    bits), that is the value. Anything else (a complex or undefined
    intermediate, a difference between the two precisions, a power to an
    exponent past 2**80 at the point) falls back to derivcli's own exact
    evaluator over the whole form, which is slow but real-valued by
    construction.
    """

    def __init__(self, expr: Any) -> None:
        self.expr = expr
        self.symbols = sorted(expr.free_symbols, key=str)
        self._program: Program | None = None
        exponents = {power.args[1] for power in expr.atoms(se.Pow)}
        # a number exponent is judged once; one with variables at each point
        self._huge_number_exponent = any(
            isinstance(e, se.Number) and _past_margin(e) for e in exponents
        )
        self._exponents = [e for e in exponents if not isinstance(e, se.Number)]

    def exact(self, point: Mapping[str, Any]) -> Exact:
        if not self._amplifies(point):
            coarse, fine = (self._subs(point, bits) for bits in (PRECISION, 2 * PRECISION))
            if coarse is not None and fine is not None:
                m = gmpy2()
                if abs(coarse - fine) <= abs(fine) * m.mul_2exp(m.mpfr(1), -64):
                    return Exact(fine, None, (fine,), (abs(fine),), 2 * PRECISION, m.mpfr(1))
        if self._program is None:
            self._program = compile_tree(_RawTree().convert(self.expr))
        return exact_value(self._program, point)

    def _amplifies(self, point: Mapping[str, Any]) -> bool:
        """Whether some power's exponent is past 2**80 at the point (or has no
        float value there): a**b multiplies a's rounding by |b|, so 256 and 512
        bits can agree on a wrong value. (1 + x/1e200)**1e200 rounds its base to
        1 at both, and its tenth derivative times tan(tan(x)) at 1 was
        3.45e32, "agree", where it is 9.39e32 (derivcli's evaluator adds the
        exponent's bits)."""
        if self._huge_number_exponent:
            return True
        if not self._exponents:
            return False
        mapping = {s: se.RealDouble(float(point[s.name])) for s in self.symbols}
        for exponent in self._exponents:
            try:
                value = exponent.xreplace(mapping).evalf(53)
            except (RuntimeError, ZeroDivisionError, OverflowError, TypeError, ValueError):
                return True
            if not isinstance(value, (se.RealDouble, se.Integer, se.Rational)):
                return True  # complex or not a number: let the evaluator say
            if _past_margin(value):
                return True
        return False

    def _subs(self, point: Mapping[str, Any], bits: int) -> Any:
        """symengine's value at the point with ``bits`` of precision, as an mpfr;
        None unless it is a finite real number."""
        m = gmpy2()
        # exact decimal spellings: a float64 has at most 767 significant digits
        mapping = {
            s: se.RealMPFR(m.mpfr(point[s.name], MAX_PRECISION).__format__(".800e"), bits)
            for s in self.symbols
        }
        try:
            value = self.expr.xreplace(mapping)
            if not isinstance(value, se.Number):
                value = value.evalf(bits)
        except (RuntimeError, ZeroDivisionError, OverflowError, TypeError, ValueError):
            return None
        with m.context(m.get_context(), precision=bits):
            if isinstance(value, (se.Integer, se.Rational)):
                p, q = value.get_num_den()
                return m.mpfr(m.mpq(int(p), int(q)))
            if not isinstance(value, se.RealMPFR):
                return None  # complex, or not a number
            try:
                result = m.mpfr(str(value))
            except ValueError:  # a text MPFR does not read back (symengine's own nan spelling)
                return None
            return result if m.is_finite(result) else None


def _past_margin(number: Any) -> bool:
    """Whether a symengine number is past 2**CANCELLATION_MARGIN in size (or
    not finite)."""
    size = abs(float(number))
    return not math.isfinite(size) or size > 2.0**CANCELLATION_MARGIN


class _RawTree(TreeBuilder):
    """symengine -> derivcli tree without the reader's order (for evaluation only)."""

    def _ordered_terms(self, terms: list[Any]) -> list[Any]:
        return terms

    def _factor_key(self, expr: Any) -> tuple[int, str]:
        return (0, "")
