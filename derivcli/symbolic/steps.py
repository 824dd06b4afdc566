"""Show the work: a derivation, rule by rule, that ends at derivcli's closed form.

Where this sits: in the symbolic stage, beside ``calculus``, and like all
symbolic work it runs in a budgeted worker (``worker.Job``, started by
:func:`start` before the other engines so that they run side by side). The
parent receives plain frozen :class:`Step` data and renders it: ``show.py``
on the terminal and as LaTeX, ``render.py`` as JSON.

The algorithm
-------------
One fold over the tree (:class:`_Parts`, on ``tree.fold``) records every
node's symengine expression and whether it depends on the variable. Each
node is then *planned*: which rule applies and which parts must be
differentiated first (its substeps):

* a part without the variable: **constant** (0); the variable: **variable** (1);
* a chain of ``+`` and ``-`` (``x**2 + 2*x + 1`` is one sum, not two):
  **sum**, or **difference** when a term is subtracted; one substep per term;
* a chain of ``*`` and ``/`` (``3*x*sin(x)/2``, one product): the factors
  without the variable are pulled out (**constant multiple**); what is left
  is one factor, a **product** (the product rule for n factors) or a
  **quotient** ``u/v`` (u and v products themselves);
* ``-u``: **constant multiple** (by -1);
* ``u**n``, n constant: **power**; ``c**u``, c constant: **exponential**;
  both varying: **general power**;
* ``f(x)``: f's own rule, named after f, read from the function table's
  ``derivative`` entry (relu -> ``heaviside(a)``, softplus ->
  ``sigmoid(a)``): a function added to the table has its step without code
  here;
* ``f(u)``, ``u**n`` and ``c**u`` where u is not the variable itself:
  **chain**, naming the outer rule and the inner function u, whose own
  derivation is the substep.

The plan is carried out children first, with an explicit stack (a
5,000-term sum or 200 levels of nesting are walked like any other). Each
step records ``applied``, the rule's formula filled in with the substeps'
results and printed by derivcli's printer (``cos(x**2)*(2*x)``), and
``result``, the derivative of the step's expression by symengine
(``calculus.differentiate``), printed exactly as closed forms are
(``calculus.readable``). So every step's result is the true derivative of
its expression, and the last step's result is *the* closed form: the text
the table shows, character for character.

A higher order differentiates the previous order's closed form (its tree
from ``calculus.to_tree``) the same way. A closed form too large to go
through node by node gets a single step that says the same rules were
applied again (**repeat**).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Union

from derivcli.errors import BudgetError, DerivcliError
from derivcli.language.definitions import with_defaults
from derivcli.language.functions import ARGUMENT_NAMES, function
from derivcli.language.parser import parse
from derivcli.language.printer import to_text
from derivcli.language.tree import (
    BinaryOp,
    Call,
    Constant,
    Fold,
    Negate,
    Node,
    Number,
    Variable,
    count_nodes,
    fold,
    number_node,
    unique_nodes,
)

if TYPE_CHECKING:
    from derivcli.worker import Job

# Rule names: a stable contract (JSON "rule"). A function's own rule is
# named after the function (sin, relu, max, ...).
CONSTANT = "constant"
VARIABLE = "variable"
SUM = "sum"
DIFFERENCE = "difference"
CONSTANT_MULTIPLE = "constant multiple"
PRODUCT = "product"
QUOTIENT = "quotient"
POWER = "power"
EXPONENTIAL = "exponential"
GENERAL_POWER = "general power"
CHAIN = "chain"
REPEAT = "repeat"
RULES = (
    CONSTANT,
    VARIABLE,
    SUM,
    DIFFERENCE,
    CONSTANT_MULTIPLE,
    PRODUCT,
    QUOTIENT,
    POWER,
    EXPONENTIAL,
    GENERAL_POWER,
    CHAIN,
    REPEAT,
)

# Steps in one request, every derivative and order together; a higher order
# past it (or whose closed form has more than MAX_ORDER_NODES nodes) is one
# "repeat" step.
MAX_STEPS = 20_000
MAX_ORDER_NODES = 300
# An ``applied`` text longer than this is left out (null): the product rule
# over n factors writes n**2 of them.
MAX_APPLIED_CHARS = 20_000
# Extra seconds the parent waits beyond the budget for the worker to report.
GRACE = 1.0


@dataclass(frozen=True)
class Step:
    """One step of a derivation: ``d/d{wrt} expression = result``, by ``rule``."""

    rule: str  # a name of RULES, or a function's name (its own rule)
    wrt: str  # the variable differentiated by
    expression: str  # what is differentiated, in derivcli's language
    result: str  # its derivative, simplified and printed as derivcli prints closed forms
    # the rule's formula with the substeps' results, before simplifying (None: too long)
    applied: str | None = None
    substeps: tuple[Step, ...] = ()
    outer: str | None = None  # chain rule: the outer function's rule (sin, power, ...)
    inner: str | None = None  # chain rule: the inner function(s), as written
    # chain rule: the outer rule's argument each inner function is ("a", "b": max(x, x**2)'s
    # x is a and x**2 is b, max(3, x**2)'s x**2 is b); not in JSON, whose "inner" is the text
    roles: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the step and its substeps (a documented contract)."""
        top: dict[str, Any] = {}
        stack: list[tuple[Step, dict[str, Any]]] = [(self, top)]
        while stack:
            step, data = stack.pop()
            data.update(
                {
                    "rule": step.rule,
                    "wrt": step.wrt,
                    "expression": step.expression,
                    "result": step.result,
                    "applied": step.applied,
                    "outer": step.outer,
                    "inner": step.inner,
                    "substeps": [{} for _ in step.substeps],
                }
            )
            stack.extend(zip(step.substeps, data["substeps"], strict=True))
        return top

    def walk(self) -> Iterator[tuple[Step, int]]:
        """Every step with its depth, substeps before the step they serve (the
        order a derivation is read in: down to the leaves and back up)."""
        stack: list[tuple[Step, int, bool]] = [(self, 0, False)]
        while stack:
            step, depth, expanded = stack.pop()
            if expanded or not step.substeps:
                yield step, depth
                continue
            stack.append((step, depth, True))
            stack.extend((sub, depth + 1, False) for sub in reversed(step.substeps))

    @property
    def size(self) -> int:
        """The number of steps, this one included."""
        return sum(1 for _ in self.walk())


@dataclass(frozen=True)
class Derivation:
    """How one derivative was worked out: one root step per order, in order
    (``steps`` empty and ``error`` saying why when it could not be)."""

    steps: tuple[Step, ...] = ()
    error: str | None = None

    def to_json(self) -> list[dict[str, Any]] | None:
        """JSON's "steps": a list of root steps, or null when there is no derivation."""
        return None if self.error is not None else [step.to_dict() for step in self.steps]


# The worker's answer: the root steps of each derivative, by its variables.
Derivations = Mapping[tuple[str, ...], tuple[Step, ...]]


@dataclass(frozen=True)
class StepsRequest:
    source: str  # the expression as typed (parsed again in the worker)
    derivatives: tuple[tuple[str, ...], ...]  # one variable per differentiation
    budget: float  # seconds


# ---------------------------------------------------------------- the parent's side


class PendingSteps:
    """A derivation being worked out in its own budgeted child process."""

    def __init__(self, request: StepsRequest) -> None:
        from derivcli.worker import Job

        self._deadline = time.monotonic() + request.budget + GRACE
        self._job: Job = Job(derive, request)
        self._found: Derivations | None = None
        self._error: str | None = None

    def derivation(self, wrt: tuple[str, ...]) -> Derivation:
        """The derivation of the derivative by ``wrt`` (waiting for it, until the
        deadline), or a Derivation with the reason there is none."""
        if self._found is None and self._error is None:
            try:
                self._found = self._job.result(self._deadline)
            except DerivcliError as exc:
                self._error = f"no derivation (--steps): {exc.message}"
        if self._found is None:
            return Derivation(error=self._error)
        return Derivation(steps=self._found[wrt])

    @property
    def error(self) -> str | None:
        """Why there are no derivations (once asked for one)."""
        return self._error

    def cancel(self) -> None:
        self._job.cancel()


def start(source: str, derivatives: Sequence[tuple[str, ...]], budget: float) -> PendingSteps:
    """Start deriving (in a child process, right away)."""
    return PendingSteps(StepsRequest(source, tuple(derivatives), budget))


# ---------------------------------------------------------------- the worker's side


def derive(request: StepsRequest) -> dict[tuple[str, ...], tuple[Step, ...]]:
    """The worker's entry point: every derivative's derivation, order by order."""
    from derivcli.symbolic import calculus

    deadline = time.monotonic() + request.budget
    expression = parse(request.source)
    expr = calculus.build(expression)
    allowed = MAX_STEPS  # steps still allowed, all derivatives together
    found: dict[tuple[str, ...], tuple[Step, ...]] = {}
    for wrt in request.derivatives:
        forms = calculus.differentiate(expr, wrt, deadline=deadline)
        roots: list[Step] = []
        for k, var in enumerate(wrt):
            tree = expression.tree if k == 0 else _order_tree(forms[k])
            step = None
            if tree is not None:
                try:
                    step = _Deriver(tree, var, forms[k], forms[k + 1], deadline, allowed).run()
                except _TooLong:
                    if k == 0:  # the expression itself: no order before to repeat
                        raise BudgetError(
                            f"the derivations would take more than {MAX_STEPS:,} steps"
                        ) from None
                    step = None
            if step is None:
                step = Step(
                    rule=REPEAT,
                    wrt=var,
                    expression=calculus.readable(forms[k])[0],
                    result=calculus.readable(forms[k + 1])[0],
                )
            allowed -= step.size
            roots.append(step)
        found[wrt] = tuple(roots)
    return found


def _order_tree(form: Any) -> Node | None:
    """A lower order's closed form as a tree to derive node by node, if it is small."""
    from derivcli.symbolic import calculus

    _, tree = calculus.readable(form)
    if tree is None or count_nodes(tree) > MAX_ORDER_NODES:
        return None
    return tree


class _TooLong(Exception):
    """More steps than are left for this request."""


class _Parts(Fold[tuple[Any, bool]]):
    """Each node's symengine expression, and whether it depends on ``var``,
    recorded by node (one fold over the tree)."""

    def __init__(self, builder: Any, var: str) -> None:
        self.builder = builder
        self.var = var
        self.exprs: dict[int, Any] = {}
        self.depends: dict[int, bool] = {}

    def _keep(self, node: Node, expr: Any, depends: bool) -> tuple[Any, bool]:
        self.exprs[id(node)] = expr
        self.depends[id(node)] = depends
        return expr, depends

    def number(self, node: Number) -> tuple[Any, bool]:
        return self._keep(node, self.builder.number(node), False)

    def constant(self, node: Constant) -> tuple[Any, bool]:
        return self._keep(node, self.builder.constant(node), False)

    def variable(self, node: Variable) -> tuple[Any, bool]:
        return self._keep(node, self.builder.variable(node), node.name == self.var)

    def negate(self, node: Negate, operand: tuple[Any, bool]) -> tuple[Any, bool]:
        return self._keep(node, self.builder.negate(node, operand[0]), operand[1])

    def binary(
        self, node: BinaryOp, left: tuple[Any, bool], right: tuple[Any, bool]
    ) -> tuple[Any, bool]:
        expr = self.builder.binary(node, left[0], right[0])
        return self._keep(node, expr, left[1] or right[1])

    def call(self, node: Call, args: list[tuple[Any, bool]]) -> tuple[Any, bool]:
        expr = self.builder.call(node, [a for a, _ in args])
        return self._keep(node, expr, any(d for _, d in args))


# The rule's formula, given the derivatives of the substeps (as trees).
Apply = Callable[[list[Node]], Node]


@dataclass
class _Plan:
    rule: str
    kids: list[Node]  # the parts differentiated first, in order (the substeps)
    apply: Apply
    outer: str | None = None
    inner: str | None = None
    roles: tuple[str, ...] = ()


@dataclass
class _Done:
    step: Step
    tree: Node | None  # the result as a tree (None when it is too large to have one)
    size: int  # steps in it


@dataclass
class _Deriver:
    """The derivation of one tree by one variable."""

    root: Node
    var: str
    top: Any  # the root's symengine expression (the previous order's closed form)
    top_derivative: Any  # its derivative: the closed form this derivation must end at
    deadline: float
    allowed: int  # steps allowed
    exprs: dict[int, Any] = field(default_factory=dict)
    depends: dict[int, bool] = field(default_factory=dict)
    made: list[Node] = field(default_factory=list)  # parts made here (kept alive: ids)
    trees: Any = None  # one calculus.TreeBuilder for every result: shared parts converted once

    def __post_init__(self) -> None:
        from derivcli.symbolic import calculus

        self.trees = calculus.TreeBuilder()
        names = {n.name for n in unique_nodes(self.root) if isinstance(n, Variable)}
        builder = calculus.SymengineBuilder({name: calculus.symbol(name) for name in names})
        parts = _Parts(builder, self.var)
        fold(self.root, parts)
        self.exprs, self.depends = parts.exprs, parts.depends
        self.exprs[id(self.root)] = self.top
        # the 1 of a reciprocal 1/v (a node made here)
        self.exprs[id(ONE)], self.depends[id(ONE)] = builder.number(ONE), False

    def run(self) -> Step:
        done: dict[int, _Done] = {}
        plans: dict[int, _Plan] = {}
        stack: list[tuple[Node, bool]] = [(self.root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in done:
                continue
            plan = plans.get(id(node))
            if plan is None:
                plan = plans[id(node)] = self.plan(node)
            if plan.kids and not expanded:
                stack.append((node, True))
                stack.extend((kid, False) for kid in reversed(plan.kids) if id(kid) not in done)
                continue
            done[id(node)] = self.finish(node, plan, [done[id(kid)] for kid in plan.kids])
        return done[id(self.root)].step

    # -- carrying a plan out

    def finish(self, node: Node, plan: _Plan, kids: list[_Done]) -> _Done:
        from derivcli.symbolic import calculus

        size = 1 + sum(kid.size for kid in kids)
        if size > self.allowed:
            raise _TooLong
        if time.monotonic() > self.deadline:
            raise BudgetError("the derivation (--steps) was not finished within the time budget")
        derivative = (
            self.top_derivative
            if node is self.root
            else calculus.differentiate(self.exprs[id(node)], [self.var])[-1]
        )
        text, tree = calculus.readable(derivative, self.trees)
        expression = to_text(node)
        applied = None
        trees = [kid.tree for kid in kids]
        if all(t is not None for t in trees):
            estimate = len(expression) * max(1, len(kids)) + sum(len(k.step.result) for k in kids)
            if estimate <= MAX_APPLIED_CHARS:
                applied = to_text(plan.apply([t for t in trees if t is not None]))
        step = Step(
            rule=plan.rule,
            wrt=self.var,
            expression=expression,
            result=text,
            applied=applied,
            substeps=tuple(kid.step for kid in kids),
            outer=plan.outer,
            inner=plan.inner,
            roles=plan.roles,
        )
        return _Done(step, tree, size)

    # -- planning

    def varies(self, node: Node) -> bool:
        return self.depends[id(node)]

    def plan(self, node: Node) -> _Plan:
        if not self.varies(node):
            return _Plan(CONSTANT, [], lambda _: ZERO)
        if isinstance(node, Variable):
            return _Plan(VARIABLE, [], lambda _: ONE)
        if isinstance(node, Negate):
            return _Plan(CONSTANT_MULTIPLE, [node.operand], lambda d: negate(d[0]))
        if isinstance(node, Call):
            return self.call(node)
        assert isinstance(node, BinaryOp)
        if node.op in ("+", "-"):
            return self.sum(node)
        if node.op in ("*", "/"):
            return self.product(node)
        return self.power(node)

    def sum(self, node: BinaryOp) -> _Plan:
        terms = _terms(node)
        signs = [sign for _, sign in terms]
        rule = SUM if all(sign > 0 for sign in signs) else DIFFERENCE
        return _Plan(rule, [t for t, _ in terms], lambda d: add(list(zip(d, signs, strict=True))))

    def product(self, node: BinaryOp) -> _Plan:
        factors = _factors(node)
        constant = [(f, e) for f, e in factors if not self.varies(f)]
        numerator = [f for f, e in factors if self.varies(f) and e > 0]
        denominator = [f for f, e in factors if self.varies(f) and e < 0]
        # a factor 1 on top of varying denominators is the 1 of 1/v, not a multiple
        scalars = [(f, e) for f, e in constant if not (e > 0 and _is_one(f))]
        if scalars or (constant and not denominator):
            rest = self.compose(numerator, denominator)
            return _Plan(CONSTANT_MULTIPLE, [rest], lambda d: scale(constant, d[0]))
        if denominator:
            v = self.compose(denominator, [])
            if not numerator:
                return _Plan(QUOTIENT, [v], lambda d: quotient(ONE, v, ZERO, d[0]))
            u = self.compose(numerator, [])
            return _Plan(QUOTIENT, [u, v], lambda d: quotient(u, v, d[0], d[1]))

        def product_rule(d: list[Node]) -> Node:
            return add(
                [
                    (multiply([*numerator[:i], d[i], *numerator[i + 1 :]]), 1)
                    for i in range(len(numerator))
                ]
            )

        return _Plan(PRODUCT, list(numerator), product_rule)

    def power(self, node: BinaryOp) -> _Plan:
        base, exponent = node.left, node.right
        if not self.varies(exponent):
            return self.outer(POWER, base, lambda a: power_rule(a, exponent))
        if not self.varies(base):
            return self.outer(EXPONENTIAL, exponent, lambda a: exponential_rule(base, a))

        def general(d: list[Node]) -> Node:
            du, dv = d
            inside = add(
                [
                    (multiply([dv, Call("log", (base,))]), 1),
                    (divide(multiply([exponent, du]), base), 1),
                ]
            )
            return multiply([node, inside])

        return _Plan(GENERAL_POWER, [base, exponent], general)

    def call(self, node: Call) -> _Plan:
        spec = function(node.name)
        # parameters that change the rule (softplus(x, 2)): the rule naming them
        with_params = len(node.args) > spec.arity and spec.step_derivative is not None
        rules = table_rules(node.name, with_params=with_params)
        varying = [i for i, arg in enumerate(node.args) if self.varies(arg)]
        # the rule names every parameter: the ones not given take their defaults
        args = with_defaults(function(node.name), list(node.args))

        def partial(i: int) -> Node:
            return substitute(rules[i], args)

        if all(self.is_variable(node.args[i]) for i in varying):
            return _Plan(node.name, [], lambda _: add([(partial(i), 1) for i in varying]))
        kids = [node.args[i] for i in varying]
        return _Plan(
            CHAIN,
            kids,
            lambda d: add([(multiply([partial(i), d[k]]), 1) for k, i in enumerate(varying)]),
            outer=node.name,
            inner=", ".join(to_text(kid) for kid in kids),
            roles=tuple(
                ARGUMENT_NAMES[i] if i < len(ARGUMENT_NAMES) else f"argument {i + 1}"
                for i in varying
            ),
        )

    def outer(self, rule: str, inner: Node, derivative: Callable[[Node], Node]) -> _Plan:
        """A rule applied to ``inner``: directly if it is the variable, else by the chain rule."""
        if self.is_variable(inner):
            return _Plan(rule, [], lambda _: derivative(inner))
        return _Plan(
            CHAIN,
            [inner],
            lambda d: multiply([derivative(inner), d[0]]),
            outer=rule,
            inner=to_text(inner),
            roles=(ARGUMENT_NAMES[0],),
        )

    def is_variable(self, node: Node) -> bool:
        return isinstance(node, Variable) and node.name == self.var

    def compose(self, numerator: list[Node], denominator: list[Node]) -> Node:
        """The product numerator/denominator of parts of the tree: the part itself
        when it is one factor, else a new node, its expression recorded."""
        if len(numerator) == 1 and not denominator:
            return numerator[0]
        node = self.made_product(numerator) if numerator else ONE
        if denominator:
            bottom = denominator[0] if len(denominator) == 1 else self.made_product(denominator)
            node = self.record(
                BinaryOp("/", node, bottom), self.exprs[id(node)] / self.exprs[id(bottom)]
            )
        return node

    def made_product(self, factors: list[Node]) -> Node:
        import symengine as se

        expr = se.Integer(1)
        for factor in factors:
            expr = expr * self.exprs[id(factor)]
        return self.record(_chain(factors), expr)

    def record(self, node: Node, expr: Any) -> Node:
        self.made.append(node)
        self.exprs[id(node)] = expr
        self.depends[id(node)] = True
        return node


# ---------------------------------------------------------------- reading chains


def _terms(node: Node) -> list[tuple[Node, int]]:
    """The terms of a chain of + and - with their signs, left to right."""
    terms = []
    while isinstance(node, BinaryOp) and node.op in ("+", "-"):
        terms.append((node.right, 1 if node.op == "+" else -1))
        node = node.left
    terms.append((node, 1))
    return terms[::-1]


def _factors(node: Node) -> list[tuple[Node, int]]:
    """The factors of a chain of * and / with their exponents (1 or -1), left to right."""
    factors = []
    while isinstance(node, BinaryOp) and node.op in ("*", "/"):
        factors.append((node.right, 1 if node.op == "*" else -1))
        node = node.left
    factors.append((node, 1))
    return factors[::-1]


def _chain(nodes: list[Node]) -> Node:
    tree = nodes[0]
    for node in nodes[1:]:
        tree = BinaryOp("*", tree, node)
    return tree


# ---------------------------------------------------------------- the rules' formulas, as trees

ZERO = Number(Fraction(0), "0")
ONE = Number(Fraction(1), "1")


def number(value: Fraction) -> Node:
    """A rational number as a tree (3, 3/2, -3/2; 1e-8: see short_decimal)."""
    return number_node(value)


def _is_value(node: Node, value: int) -> bool:
    return isinstance(node, Number) and node.value == value


def _is_one(node: Node) -> bool:
    return _is_value(node, 1)


def negate(node: Node) -> Node:
    if _is_value(node, 0):
        return node
    if isinstance(node, Negate):
        return node.operand
    return Negate(node)


def add(terms: list[tuple[Node, int]]) -> Node:
    """A sum of signed terms; zeros are left out, a negative term is subtracted."""
    tree: Node | None = None
    for term, sign in terms:
        if _is_value(term, 0):
            continue
        if isinstance(term, Negate):
            term, sign = term.operand, -sign
        if tree is None:
            tree = term if sign > 0 else Negate(term)
        else:
            tree = BinaryOp("+" if sign > 0 else "-", tree, term)
    return ZERO if tree is None else tree


def multiply(factors: list[Node]) -> Node:
    """A product; 0 if a factor is 0, factors 1 left out, signs in front."""
    negative = False
    kept: list[Node] = []
    for factor in factors:
        if _is_value(factor, 0):
            return ZERO
        while isinstance(factor, Negate):
            negative, factor = not negative, factor.operand
        if not _is_one(factor):
            kept.append(factor)
    tree = _chain(kept) if kept else ONE
    return Negate(tree) if negative else tree


def divide(top: Node, bottom: Node) -> Node:
    """top/bottom, with the signs in front."""
    if isinstance(bottom, Negate):
        return negate(divide(top, bottom.operand))
    if _is_value(top, 0) or _is_one(bottom):
        return top
    if isinstance(top, Negate):
        return negate(BinaryOp("/", top.operand, bottom))
    return BinaryOp("/", top, bottom)


def power(base: Node, exponent: Node) -> Node:
    value = rational(exponent)
    if value == 1:
        return base
    if value == 0:
        return ONE
    return BinaryOp("**", base, exponent)


def scale(constants: list[tuple[Node, int]], derivative: Node) -> Node:
    """c*u' for the constant factors c (those with exponent -1 divide)."""
    top = multiply([f for f, e in constants if e > 0] + [derivative])
    bottom = [f for f, e in constants if e < 0]
    return divide(top, multiply(bottom)) if bottom else top


def quotient(u: Node, v: Node, du: Node, dv: Node) -> Node:
    """(u'*v - u*v')/v**2"""
    top = add([(multiply([du, v]), 1), (multiply([u, dv]), -1)])
    return divide(top, power(v, number(Fraction(2))))


def power_rule(base: Node, exponent: Node) -> Node:
    """n*a**(n - 1), with n - 1 worked out when n is a number."""
    value = rational(exponent)
    if value is not None:
        return multiply([number(value), power(base, number(value - 1))])
    return multiply([exponent, BinaryOp("**", base, BinaryOp("-", exponent, ONE))])


def exponential_rule(base: Node, exponent: Node) -> Node:
    """c**a*log(c), which is c**a for c = E."""
    value = BinaryOp("**", base, exponent)
    if isinstance(base, Constant) and base.name == "E":
        return value
    return multiply([value, Call("log", (base,))])


class _Rational(Fold[Union[Fraction, None]]):
    """The value of a constant tree made of numbers, + - * / and whole powers; else None."""

    def number(self, node: Number) -> Fraction | None:
        return node.value

    def constant(self, node: Constant) -> Fraction | None:
        return None

    def variable(self, node: Variable) -> Fraction | None:
        return None

    def negate(self, node: Negate, operand: Fraction | None) -> Fraction | None:
        return None if operand is None else -operand

    def binary(self, node: BinaryOp, a: Fraction | None, b: Fraction | None) -> Fraction | None:
        if a is None or b is None:
            return None
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "/":
            return None if b == 0 else a / b
        if b.denominator == 1 and abs(b) <= 64 and (a != 0 or b > 0):
            return a ** int(b)
        return None

    def call(self, node: Call, args: list[Fraction | None]) -> Fraction | None:
        return None


def rational(tree: Node) -> Fraction | None:
    """The exact value of a small constant tree (2, -1/2, 3**2), or None."""
    return fold(tree, _Rational())


class _Substitute(Fold[Node]):
    """A rule of the table (in a and b) with its arguments put in."""

    def __init__(self, args: Sequence[Node]) -> None:
        self.args = dict(zip(ARGUMENT_NAMES, args, strict=False))

    def number(self, node: Number) -> Node:
        return node

    def constant(self, node: Constant) -> Node:
        return node

    def variable(self, node: Variable) -> Node:
        return self.args.get(node.name, node)

    def negate(self, node: Negate, operand: Node) -> Node:
        return negate(operand)

    def binary(self, node: BinaryOp, left: Node, right: Node) -> Node:
        if node.op in ("+", "-"):  # heaviside(x**2 + x), not heaviside(x**2 - -x)
            return add([(left, 1), (right, 1 if node.op == "+" else -1)])
        return BinaryOp(node.op, left, right)

    def call(self, node: Call, args: list[Node]) -> Node:
        return Call(node.name, tuple(args))


def substitute(rule: Node, args: Sequence[Node]) -> Node:
    return fold(rule, _Substitute(args))


_TABLE_RULES: dict[str, tuple[Node, ...]] = {}


def table_rules(name: str, *, with_params: bool = False) -> tuple[Node, ...]:
    """The function's partial derivatives from the function table, as trees in a and b
    (with_params: the rules that name its parameters, where those differ)."""
    key = f"{name} with params" if with_params else name
    if key not in _TABLE_RULES:
        spec = function(name)
        texts = spec.step_derivative if with_params and spec.step_derivative else spec.derivative
        _TABLE_RULES[key] = tuple(parse(rule, template=True).tree for rule in texts)
    return _TABLE_RULES[key]
