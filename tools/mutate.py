#!/usr/bin/env python3
"""Mutation testing for derivcli's verdict path, run by hand (not in CI).

    .venv/bin/python tools/mutate.py                      # the four default modules
    .venv/bin/python tools/mutate.py derivcli/results.py  # one module
    .venv/bin/python tools/mutate.py --list               # the mutants, nothing run
    .venv/bin/python tools/mutate.py --show ID            # the diff of one mutant
    .venv/bin/python tools/mutate.py --only ID            # rerun one mutant
    .venv/bin/python tools/mutate.py --sample 20          # a quick random subset

How it works:

1. **Mutants.** Each module is parsed with ``ast``; every mutation is a small
   set of token-exact text edits to the original source (line numbers never
   move), checked by parsing the edited text and comparing its tree with the
   expected mutated tree. Operators: comparison swaps (< <=, > >=, == !=,
   is / is not, in / not in), and <-> or, ``not`` removed, + <-> -, * <-> /
   (also in augmented assignment), numeric constants (integers +1, -1 and
   sign; floats x10, /10 and sign; 0 -> 1 and -1; a subscript index keeps its
   sign), True <-> False, break <-> continue, ``return X`` -> ``return None``,
   min <-> max (also .Max/.Min, .maximum/.minimum), unary minus removed.
   Skipped: docstrings and other strings, annotations, ``if TYPE_CHECKING:``
   blocks, ``assert`` statements, logging calls, ``help=`` arguments,
   ``__all__``, and lines marked ``# pragma: no mutate``.

2. **Ids.** ``module:HASH:COL:OPERATOR:INDEX``: HASH is a hash of the
   enclosing function's qualified name and the stripped text of the mutated
   line, COL the column within the stripped line, INDEX tells apart equal
   lines in the same scope. An id stays valid when unrelated lines move.

3. **Test selection.** The whole suite runs once under coverage.py with one
   dynamic context per test (the test's node id, switched by a small pytest
   plugin). derivcli forks its symbolic worker with ``os.fork``: coverage's
   ``[run] patch = fork`` restarts measurement in the child, our own
   ``os.register_at_fork`` hook then switches the child to the test's context,
   and the child's data is saved after each call of the worker's entry point
   (``--child-entry``, default ``derivcli.worker:_run``) and at ``os._exit``,
   since a persistent worker is killed with SIGKILL. Each mutant then runs
   only the tests whose context covers its line. Fallbacks, for lines run but
   not attributed to a test:
   * module or class level lines (run at import): the tests covering any line
     that mentions a name the enclosing top-level statement binds
     (transitively through other module-level statements);
   * anything else, or where that finds nothing: every test covering any line
     of the module.
   A line never run at all gives a survivor with no test ("no tests").
   The map is cached in ``.mutate-cache/`` and rebuilt when a source or test
   file changes.

4. **Runs.** Each of ``--jobs`` workers has its own copy of the repository in
   a temporary directory; a mutant is written into that copy and
   ``python -m pytest -x -q -p no:cacheprovider TESTS`` runs there, with the
   copy first on PYTHONPATH (also for the tests' own subprocesses) and no
   bytecode cache, so the mutated copy is what the tests import; this is
   checked once per worker before any mutant runs. A run past its timeout is
   killed and counts as caught by timeout.

5. **Equivalent mutants** are listed, each with its reason, in
   ``tools/equivalent_mutants.toml``; they are reported apart and left out of
   the score. An entry whose id no longer exists, or whose mutant is caught,
   is reported so the file stays true.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import io
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MODULES = (
    "derivcli/results.py",
    "derivcli/symbolic/analysis.py",
    "derivcli/language/parser.py",
    "derivcli/language/functions.py",
    # the exact values and their rounding scale: whether a kink's argument is 0
    "derivcli/language/evaluate.py",
)
EQUIVALENTS_FILE = Path(__file__).resolve().with_name("equivalent_mutants.toml")
CACHE_DIR = REPO / ".mutate-cache"
DEFAULT_CHILD_ENTRY = "derivcli.worker:_run"
PRAGMA = "pragma: no mutate"
# Names whose calls only log: their arguments cannot change a verdict.
LOGGING_NAMES = frozenset({"logging", "logger", "log", "_log", "_logger", "LOGGER", "LOG"})

# ---------------------------------------------------------------- mutants


@dataclass(frozen=True)
class Edit:
    """Replace the text from ``start`` to ``end`` ((line, column), 1-based
    lines, 0-based character columns) with ``text``."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str  # path relative to the repository, with '/'
    line: int
    col: int
    operator: str
    description: str
    scope: str  # qualified name of the enclosing function or class, or <module>
    edits: tuple[Edit, ...]
    # Inside a function or lambda body: runs when called. False: runs at import
    # (module and class level, decorators, defaults), so coverage attributes
    # it to whichever test imported the module first.
    runtime: bool = True


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """The source with the edits applied (they must not overlap)."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: tuple[int, int]) -> int:
        return starts[pos[0] - 1] + pos[1]

    text = source
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: offset(edit.start)] + edit.text + text[offset(edit.end) :]
    return text


def mutated_source(source: str, mutant: Mutant) -> str:
    return apply_edits(source, mutant.edits)


def _stable_hash(scope: str, line_text: str) -> str:
    return hashlib.sha1(f"{scope}\n{line_text.strip()}".encode()).hexdigest()[:8]  # noqa: S324


@dataclass
class _Candidate:
    node: ast.AST
    operator: str
    description: str
    edits: tuple[Edit, ...]
    expected: Callable[[], str]  # ast.dump of the module as mutated, computed lazily
    scope: str
    runtime: bool


_COMPARE_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], str, str]] = {
    ast.Lt: (ast.LtE, "<", "<="),
    ast.LtE: (ast.Lt, "<=", "<"),
    ast.Gt: (ast.GtE, ">", ">="),
    ast.GtE: (ast.Gt, ">=", ">"),
    ast.Eq: (ast.NotEq, "==", "!="),
    ast.NotEq: (ast.Eq, "!=", "=="),
    ast.Is: (ast.IsNot, "is", "is not"),
    ast.IsNot: (ast.Is, "is not", "is"),
    ast.In: (ast.NotIn, "in", "not in"),
    ast.NotIn: (ast.In, "not in", "in"),
}
_CMP_NAMES = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
_CMP_NAMES |= {"is": "is", "is not": "isnot", "in": "in", "not in": "notin"}
_BINOP_SWAPS: dict[type[ast.operator], tuple[type[ast.operator], str, str]] = {
    ast.Add: (ast.Sub, "+", "-"),
    ast.Sub: (ast.Add, "-", "+"),
    ast.Mult: (ast.Div, "*", "/"),
    ast.Div: (ast.Mult, "/", "*"),
}
_BINOP_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "div"}
_LAYOUT_TOKENS = frozenset(
    {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    | {tokenize.ENCODING, tokenize.ENDMARKER}
)
_MINMAX = {"min": "max", "max": "min", "Min": "Max", "Max": "Min"}
_MINMAX |= {"minimum": "maximum", "maximum": "minimum"}


def _number_variants(
    value: int | float, *, index: bool = False
) -> list[tuple[str, str, int | float]]:
    """(operator, description, new value) for a numeric constant.

    Integers are counts, limits and indexes: +1 and -1 (off by one) and the
    sign. Floats are scales and tolerances: x10, /10 and the sign. Zero
    becomes 1 and -1. A subscript index keeps its sign (``a[0]`` -> ``a[-1]``
    is the same element of a one-element sequence, which says nothing).
    """
    out: list[tuple[str, str, int | float]] = []
    if isinstance(value, int):
        out += [("num_inc", "+1", value + 1)]
        if not (index and value == 0):
            out += [("num_dec", "-1", value - 1)]
        if value != 0 and not index:
            out += [("num_neg", "sign", -value)]
    elif value == 0.0:
        out += [("num_inc", "0 -> 1", 1.0), ("num_dec", "0 -> -1", -1.0)]
    elif value == value and abs(value) != float("inf"):
        exact = Decimal(repr(value))
        out += [
            ("num_x10", "x10", float(exact.scaleb(1))),
            ("num_div10", "/10", float(exact.scaleb(-1))),
            ("num_neg", "sign", -value),
        ]
    seen: set[int | float] = {value}
    unique = []
    for op, desc, new in out:
        if new not in seen:
            seen.add(new)
            unique.append((op, desc, new))
    return unique


def _number_text(value: int | float) -> str:
    text = repr(value)
    return f"({text})" if value < 0 else text


class _Finder:
    """Walks one module and yields candidate mutations."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines()
        self.tree = ast.parse(source)
        self.tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type not in _LAYOUT_TOKENS
        ]
        self.token_starts = [t.start for t in self.tokens]
        self.parents: dict[int, tuple[ast.AST, str, int | None]] = {}
        for parent in ast.walk(self.tree):
            for name, value in ast.iter_fields(parent):
                if isinstance(value, list):
                    for i, child in enumerate(value):
                        if isinstance(child, ast.AST):
                            self.parents[id(child)] = (parent, name, i)
                elif isinstance(value, ast.AST):
                    self.parents[id(value)] = (parent, name, None)
        self.candidates: list[_Candidate] = []
        self.function_depth = 0

    # ------------------------------------------------------------ positions

    def char_col(self, line: int, byte_col: int) -> int:
        return len(self.lines[line - 1].encode()[:byte_col].decode(errors="replace"))

    def start(self, node: ast.AST) -> tuple[int, int]:
        return (node.lineno, self.char_col(node.lineno, node.col_offset))  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> tuple[int, int]:
        line: int = node.end_lineno  # type: ignore[attr-defined]
        return (line, self.char_col(line, node.end_col_offset))  # type: ignore[attr-defined]

    def tokens_between(self, a: tuple[int, int], b: tuple[int, int]) -> list[tokenize.TokenInfo]:
        import bisect

        i = bisect.bisect_left(self.token_starts, a)
        out = []
        while i < len(self.tokens) and self.tokens[i].end <= b:
            out.append(self.tokens[i])
            i += 1
        return out

    def find_op(
        self, a: tuple[int, int], b: tuple[int, int], words: Sequence[str]
    ) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """The span of the token sequence ``words`` (e.g. ['is', 'not']) between a and b."""
        toks = self.tokens_between(a, b)
        for i in range(len(toks) - len(words) + 1):
            if [t.string for t in toks[i : i + len(words)]] == list(words):
                return toks[i].start, toks[i + len(words) - 1].end
        return None

    def next_token_start(self, pos: tuple[int, int]) -> tuple[int, int] | None:
        import bisect

        i = bisect.bisect_right(self.token_starts, pos)
        if i < len(self.tokens):
            return self.tokens[i].start
        return None

    # ------------------------------------------------------------ expected trees

    def top_index(self, line: int) -> int:
        """The index of the top-level statement holding the line."""
        for k, stmt in enumerate(self.tree.body):
            first = min([stmt.lineno, *(d.lineno for d in _decorators(stmt))])
            if first <= line <= (stmt.end_lineno or stmt.lineno):
                return k
        raise ValueError(line)

    def dump_top(self, node: ast.AST) -> str:
        """ast.dump of the top-level statement holding the node (a whole-module
        dump per mutant would cost seconds)."""
        return ast.dump(self.tree.body[self.top_index(node.lineno)])  # type: ignore[attr-defined]

    def dump_with(self, node: ast.AST, replacement: ast.AST) -> str:
        parent, name, index = self.parents[id(node)]
        if index is None:
            setattr(parent, name, replacement)
        else:
            getattr(parent, name)[index] = replacement
        try:
            return self.dump_top(node)
        finally:
            if index is None:
                setattr(parent, name, node)
            else:
                getattr(parent, name)[index] = node

    def dump_with_attr(self, node: ast.AST, attr: str, value: Any, index: int | None = None) -> str:
        old = getattr(node, attr)
        if index is None:
            setattr(node, attr, value)
        else:
            old = old[index]
            getattr(node, attr)[index] = value
        try:
            return self.dump_top(node)
        finally:
            if index is None:
                setattr(node, attr, old)
            else:
                getattr(node, attr)[index] = old

    # ------------------------------------------------------------ walking

    def run(self) -> list[_Candidate]:
        self.visit_body(self.tree.body, "<module>")
        return self.candidates

    def visit_body(self, body: Sequence[ast.stmt], scope: str) -> None:
        for stmt in body:
            self.visit_stmt(stmt, scope)

    def visit_stmt(self, stmt: ast.stmt, scope: str) -> None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Assert, ast.Pass, ast.Global)):
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            return  # a docstring or a bare string
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = stmt.name if scope == "<module>" else f"{scope}.{stmt.name}"
            for deco in stmt.decorator_list:
                self.visit_expr(deco, scope)
            self.visit_arguments(stmt.args, scope)
            self.function_depth += 1
            self.visit_body(stmt.body, inner)
            self.function_depth -= 1
            return
        if isinstance(stmt, ast.ClassDef):
            inner = stmt.name if scope == "<module>" else f"{scope}.{stmt.name}"
            for deco in stmt.decorator_list:
                self.visit_expr(deco, scope)
            for base in stmt.bases:
                self.visit_expr(base, scope)
            self.visit_body(stmt.body, inner)
            return
        if isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            self.visit_body(stmt.orelse, scope)
            return
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets
        ):
            return
        if isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.visit_expr(stmt.value, scope)
            return
        if isinstance(stmt, (ast.Break, ast.Continue)):
            new = "continue" if isinstance(stmt, ast.Break) else "break"
            old = "break" if isinstance(stmt, ast.Break) else "continue"
            replacement: ast.stmt = ast.Continue() if new == "continue" else ast.Break()
            self.add(
                stmt,
                f"{old}_{new}",
                f"{old} -> {new}",
                (Edit(self.start(stmt), self.end(stmt), new),),
                lambda: self.dump_with(stmt, replacement),
                scope,
            )
            return
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            value = stmt.value
            if not (isinstance(value, ast.Constant) and value.value is None):
                a, b = self.start(value), self.end(value)
                text = "None" + "\n" * (b[0] - a[0])  # keep the line count
                none = ast.Constant(value=None)
                self.add(
                    stmt,
                    "return_none",
                    "return X -> return None",
                    (Edit(a, b, text),),
                    lambda: self.dump_with(value, none),
                    scope,
                )
        if isinstance(stmt, ast.AugAssign) and type(stmt.op) in _BINOP_SWAPS:
            new_op, old_text, new_text = _BINOP_SWAPS[type(stmt.op)]
            span = self.find_op(self.end(stmt.target), self.start(stmt.value), [old_text + "="])
            if span is not None:
                self.add(
                    stmt,
                    f"aug_{_BINOP_NAMES[old_text]}_{_BINOP_NAMES[new_text]}",
                    f"{old_text}= -> {new_text}=",
                    (Edit(span[0], span[1], new_text + "="),),
                    lambda: self.dump_with_attr(stmt, "op", new_op()),
                    scope,
                )
        # Everything else: visit child statements and expressions in order.
        for name, value in ast.iter_fields(stmt):
            if name in ("annotation", "returns", "type_comment", "type_params"):
                continue
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, ast.stmt):
                    self.visit_stmt(child, scope)
                elif isinstance(child, ast.expr):
                    self.visit_expr(child, scope)
                elif isinstance(child, ast.AST):
                    self.visit_other(child, scope)

    def visit_arguments(self, args: ast.arguments, scope: str) -> None:
        for default in args.defaults:
            self.visit_expr(default, scope)
        for kw_default in args.kw_defaults:
            if kw_default is not None:
                self.visit_expr(kw_default, scope)

    def visit_other(self, node: ast.AST, scope: str) -> None:
        """Handlers, comprehensions, keywords, match cases, with items, ..."""
        if isinstance(node, ast.arguments):
            self.visit_arguments(node, scope)
            return
        if isinstance(node, ast.keyword) and node.arg == "help":
            return
        for name, value in ast.iter_fields(node):
            if name in ("annotation", "returns", "type_comment"):
                continue
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, ast.stmt):
                    self.visit_stmt(child, scope)
                elif isinstance(child, ast.expr):
                    self.visit_expr(child, scope)
                elif isinstance(child, ast.AST):
                    self.visit_other(child, scope)

    def visit_expr(self, node: ast.expr, scope: str) -> None:
        if isinstance(node, ast.Call) and _is_logging_call(node):
            return
        if isinstance(node, ast.Lambda):
            self.visit_arguments(node.args, scope)
            self.function_depth += 1
            self.visit_expr(node.body, scope)
            self.function_depth -= 1
            return
        self.mutate_expr(node, scope)
        for _name, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, ast.expr):
                    self.visit_expr(child, scope)
                elif isinstance(child, ast.AST):
                    self.visit_other(child, scope)

    def mutate_expr(self, node: ast.expr, scope: str) -> None:
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                swap = _COMPARE_SWAPS.get(type(op))
                if swap is None:
                    continue
                new_op, old_text, new_text = swap
                left = node.left if i == 0 else node.comparators[i - 1]
                span = self.find_op(
                    self.end(left), self.start(node.comparators[i]), old_text.split()
                )
                if span is None:
                    continue
                self.add(
                    node,
                    f"cmp_{_CMP_NAMES[old_text]}_{_CMP_NAMES[new_text]}",
                    f"{old_text} -> {new_text}",
                    (Edit(span[0], span[1], new_text),),
                    _bind_attr(self, node, "ops", new_op(), i),
                    scope,
                )
        elif isinstance(node, ast.BoolOp):
            old_word = "and" if isinstance(node.op, ast.And) else "or"
            new_word = "or" if old_word == "and" else "and"
            edits = []
            for before, after in zip(node.values, node.values[1:], strict=False):
                span = self.find_op(self.end(before), self.start(after), [old_word])
                if span is None:
                    return
                edits.append(Edit(span[0], span[1], new_word))
            new_bool: ast.boolop = ast.Or() if old_word == "and" else ast.And()
            self.add(
                node,
                f"bool_{old_word}_{new_word}",
                f"{old_word} -> {new_word}",
                tuple(edits),
                _bind_attr(self, node, "op", new_bool),
                scope,
            )
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            word = "not" if isinstance(node.op, ast.Not) else "-"
            op_start = self.start(node)
            operand_start = self.next_token_start(op_start)
            if operand_start is None:
                return
            self.add(
                node,
                "not_drop" if word == "not" else "neg_drop",
                f"{word} removed",
                (Edit(op_start, operand_start, ""),),
                _bind_replace(self, node, node.operand),
                scope,
            )
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
            new_binop, old_text, new_text = _BINOP_SWAPS[type(node.op)]
            span = self.find_op(self.end(node.left), self.start(node.right), [old_text])
            if span is None:
                return
            self.add(
                node,
                f"arith_{_BINOP_NAMES[old_text]}_{_BINOP_NAMES[new_text]}",
                f"{old_text} -> {new_text}",
                (Edit(span[0], span[1], new_text),),
                _bind_attr(self, node, "op", new_binop()),
                scope,
            )
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                new_text = "False" if value else "True"
                self.add(
                    node,
                    "true_false" if value else "false_true",
                    f"{value} -> {new_text}",
                    (Edit(self.start(node), self.end(node), new_text),),
                    _bind_replace(self, node, ast.Constant(value=not value)),
                    scope,
                )
            elif isinstance(value, (int, float)):
                parent = self.parents.get(id(node))
                under_minus = (
                    parent is not None
                    and isinstance(parent[0], ast.UnaryOp)
                    and isinstance(parent[0].op, ast.USub)
                )
                is_index = (
                    parent is not None
                    and isinstance(parent[0], ast.Subscript)
                    and parent[1] == "slice"
                )
                for num_op, desc, new in _number_variants(value, index=is_index):
                    if num_op == "num_neg" and under_minus:
                        continue  # the same as removing the minus
                    text = _number_text(new)
                    replacement = ast.parse(text, mode="eval").body
                    self.add(
                        node,
                        num_op,
                        f"{value!r} -> {text} ({desc})",
                        (Edit(self.start(node), self.end(node), text),),
                        _bind_replace(self, node, replacement),
                        scope,
                    )
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("min", "max"):
                new_name = _MINMAX[func.id]
                self.add(
                    func,
                    f"{func.id}_{new_name}",
                    f"{func.id} -> {new_name}",
                    (Edit(self.start(func), self.end(func), new_name),),
                    _bind_attr(self, func, "id", new_name),
                    scope,
                )
            elif isinstance(func, ast.Attribute) and func.attr in _MINMAX:
                new_name = _MINMAX[func.attr]
                attr_end = self.end(func)
                attr_start = (attr_end[0], attr_end[1] - len(func.attr))
                self.add(
                    func,
                    f"{func.attr.lower()}_{new_name.lower()}",
                    f".{func.attr} -> .{new_name}",
                    (Edit(attr_start, attr_end, new_name),),
                    _bind_attr(self, func, "attr", new_name),
                    scope,
                )

    def add(
        self,
        node: ast.AST,
        operator: str,
        description: str,
        edits: tuple[Edit, ...],
        expected: Callable[[], str],
        scope: str,
    ) -> None:
        self.candidates.append(
            _Candidate(node, operator, description, edits, expected, scope, self.function_depth > 0)
        )


def _bind_attr(
    finder: _Finder, node: ast.AST, attr: str, value: Any, index: int | None = None
) -> Callable[[], str]:
    return lambda: finder.dump_with_attr(node, attr, value, index)


def _bind_replace(finder: _Finder, node: ast.AST, replacement: ast.AST) -> Callable[[], str]:
    return lambda: finder.dump_with(node, replacement)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _is_logging_call(call: ast.Call) -> bool:
    func = call.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id in LOGGING_NAMES


def find_mutants(
    source: str, module: str, *, verify: bool = True, verify_only: Iterable[str] | None = None
) -> list[Mutant]:
    """Every mutant of ``source`` (the text of ``module``), in source order.

    With ``verify`` each mutant's edited text is parsed and its tree compared
    with the expected mutated tree; a mismatch is a bug in this tool and
    raises. ``verify_only`` limits that check to the ids it names (``--only``:
    the check of every mutant of analysis.py takes minutes).
    """
    checked = None if verify_only is None else set(verify_only)
    finder = _Finder(source)
    candidates = finder.run()
    lines = source.splitlines()
    mutants: list[Mutant] = []
    counts: dict[tuple[str, int, str], int] = {}
    candidates.sort(key=lambda c: (c.edits[0].start, c.operator))
    for cand in candidates:
        line, col = cand.edits[0].start
        text = lines[line - 1]
        if PRAGMA in text:
            continue
        indent = len(text) - len(text.lstrip())
        digest = _stable_hash(cand.scope, text)
        key = (digest, col - indent, cand.operator)
        index = counts.get(key, 0)
        counts[key] = index + 1
        mutant = Mutant(
            id=f"{module}:{digest}:{col - indent}:{cand.operator}:{index}",
            module=module,
            line=line,
            col=col,
            operator=cand.operator,
            description=cand.description,
            scope=cand.scope,
            edits=cand.edits,
            runtime=cand.runtime,
        )
        if verify and (checked is None or mutant.id in checked):
            edited = mutated_source(source, mutant)
            try:
                body = ast.parse(edited).body
            except SyntaxError as exc:
                raise AssertionError(
                    f"{mutant.id}: the mutated source does not parse: {exc}"
                ) from exc
            if len(body) != len(finder.tree.body):
                raise AssertionError(f"{mutant.id}: the mutant changes the module's statements")
            if ast.dump(body[finder.top_index(line)]) != cand.expected():
                raise AssertionError(f"{mutant.id}: the text edit does not match the tree edit")
            if edited.count("\n") != source.count("\n"):
                raise AssertionError(f"{mutant.id}: the mutant moves line numbers")
        mutants.append(mutant)
    return mutants


def line_pair(source: str, mutant: Mutant) -> tuple[str, str]:
    """The original and mutated text of the mutated line(s), stripped."""
    first = mutant.edits[0].start[0]
    last = max(e.end[0] for e in mutant.edits)
    old = source.splitlines()[first - 1 : last]
    new = mutated_source(source, mutant).splitlines()[first - 1 : last]
    return " ".join(s.strip() for s in old), " ".join(s.strip() for s in new if s.strip())


def show_diff(source: str, mutant: Mutant) -> str:
    return "".join(
        difflib.unified_diff(
            source.splitlines(keepends=True),
            mutated_source(source, mutant).splitlines(keepends=True),
            fromfile=f"a/{mutant.module}",
            tofile=f"b/{mutant.module}",
        )
    )


# ---------------------------------------------------------------- equivalent mutants


@dataclass(frozen=True)
class Equivalent:
    id: str
    reason: str


def load_equivalents(path: Path = EQUIVALENTS_FILE) -> dict[str, Equivalent]:
    if not path.exists():
        return {}
    import tomllib

    data = tomllib.loads(path.read_text())
    out: dict[str, Equivalent] = {}
    for entry in data.get("mutant", []):
        ident, reason = str(entry["id"]), str(entry.get("reason", "")).strip()
        if not reason:
            raise SystemExit(f"{path}: {ident}: an equivalent mutant needs a reason")
        out[ident] = Equivalent(ident, reason)
    return out


# ---------------------------------------------------------------- coverage map


@dataclass
class CoverageMap:
    tests: list[str]
    durations: list[float]
    # module -> line -> indexes into tests; -1 marks "run, but by no test"
    lines: dict[str, dict[int, list[int]]]
    fingerprint: str
    pytest_exit: int
    # tests that failed under coverage (a time budget run out under its slowdown)
    failed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "tests": self.tests,
            "durations": self.durations,
            "lines": {m: {str(k): v for k, v in d.items()} for m, d in self.lines.items()},
            "fingerprint": self.fingerprint,
            "pytest_exit": self.pytest_exit,
            "failed": self.failed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CoverageMap:
        return cls(
            tests=list(data["tests"]),
            durations=[float(x) for x in data["durations"]],
            lines={
                m: {int(k): [int(i) for i in v] for k, v in d.items()}
                for m, d in data["lines"].items()
            },
            fingerprint=str(data["fingerprint"]),
            pytest_exit=int(data["pytest_exit"]),
            failed=[str(t) for t in data.get("failed", [])],
        )


def _project_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files, relative to root."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"],  # noqa: S607
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", ".mutate-cache", ".hypothesis"}
        names = [
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and not skip.intersection(p.relative_to(root).parts)
        ]
    return sorted(n for n in names if (root / n).is_file())


def fingerprint(root: Path, measured: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for name in _project_files(root):
        if name.endswith(".py") and (
            name.startswith("tests/") or any(name.startswith(d + "/") for d in measured)
        ):
            digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def measured_dirs(modules: Sequence[str]) -> list[str]:
    """The top-level package directories holding the modules: what coverage measures."""
    return sorted({Path(m).parts[0] for m in modules if len(Path(m).parts) > 1} or {"."})


def _pytest_extra() -> list[str]:
    import importlib.util

    if importlib.util.find_spec("hypothesis") is None:  # not imported: pytest would warn
        return []
    return ["--hypothesis-seed=0"]  # the same examples under coverage and in every mutant run


def collect_coverage(
    measured: Sequence[str], child_entry: str, *, verbose: bool = True
) -> CoverageMap:
    """Run the suite once under coverage in a subprocess; the per-test line map."""
    import importlib.metadata

    try:
        version = importlib.metadata.version("coverage")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("mutate needs coverage.py: pip install coverage==7.17.3") from None
    if tuple(int(x) for x in re.findall(r"\d+", version)[:3]) < (7, 10, 4):
        raise SystemExit(f"coverage {version} has no [run] patch = fork; 7.10.4 or later needed")
    with tempfile.TemporaryDirectory(prefix="derivcli-mutate-cov-") as tmp:
        out = Path(tmp) / "map.json"
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "_collect",
            str(out),
            child_entry,
            *measured,
        ]
        if verbose:
            print("collecting per-test coverage (the whole suite, once) ...", file=sys.stderr)
        started = time.monotonic()
        # The repository first on the path: a venv whose editable install points at
        # another checkout (a git worktree using the main tree's .venv) would
        # otherwise import that checkout, and this one would measure as never run.
        env = dict(os.environ)
        old = env.get("PYTHONPATH")
        env["PYTHONPATH"] = str(REPO) + (os.pathsep + old if old else "")
        proc = subprocess.run(  # noqa: S603
            cmd, cwd=REPO, env=env, check=False, capture_output=True, text=True
        )
        if not out.exists():
            sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
            raise SystemExit("the coverage run failed")
        data = CoverageMap.from_json(json.loads(out.read_text()))
        if verbose:
            print(
                f"  {len(data.tests)} tests in {time.monotonic() - started:.0f} s"
                f" (pytest exit {data.pytest_exit})",
                file=sys.stderr,
            )
        if data.pytest_exit != 0 and data.failed:
            # coverage slows the suite 2-3x: a test with a time budget can fail
            # under it alone (stop 35's run lost 45 minutes to 4 such tests).
            # Those that pass run again without coverage keep the map; their
            # lines past the failure are missing from it, so say which.
            print(
                f"  {len(data.failed)} failed under coverage; running them again without it ...",
                file=sys.stderr,
            )
            again = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *data.failed],
                cwd=REPO,
                env=env,
                check=False,
                capture_output=True,
                text=True,
            )
            if again.returncode == 0:
                print(
                    "  they pass without coverage; the map keeps what they ran before"
                    " failing: " + ", ".join(data.failed),
                    file=sys.stderr,
                )
                data.pytest_exit = 0
            else:
                sys.stderr.write(again.stdout[-4000:])
        if data.pytest_exit != 0:
            sys.stderr.write(proc.stdout[-4000:])
            raise SystemExit("the suite does not pass under coverage; fix that first")
        if not any(data.lines.values()):
            raise SystemExit("the coverage run measured no line of the modules: wrong import path?")
        return data


def load_coverage(
    measured: Sequence[str], child_entry: str, *, refresh: bool = False
) -> CoverageMap:
    CACHE_DIR.mkdir(exist_ok=True)
    ignore = CACHE_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    path = CACHE_DIR / "coverage-map.json"
    current = fingerprint(REPO, measured)
    if path.exists() and not refresh:
        cached = CoverageMap.from_json(json.loads(path.read_text()))
        if cached.fingerprint == current:
            return cached
    data = collect_coverage(measured, child_entry)
    data.fingerprint = current
    path.write_text(json.dumps(data.to_json()))
    return data


def _collect_main(argv: Sequence[str]) -> int:
    """In the coverage subprocess: run pytest under coverage, write the map."""
    data_dir = Path(tempfile.mkdtemp(prefix="derivcli-mutate-data-"))
    try:
        return _collect(argv, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _collect(argv: Sequence[str], data_dir: Path) -> int:
    out, child_entry, *measured = argv
    import coverage

    rc = data_dir / "coveragerc"
    sources = "\n    ".join(str(REPO / m) for m in measured)
    rc.write_text(
        "[run]\n"
        f"data_file = {data_dir / '.coverage'}\n"
        "parallel = true\n"
        "patch = fork\n"
        f"source =\n    {sources}\n"
    )
    cov = coverage.Coverage(config_file=str(rc))
    cov.start()
    current = {"test": ""}
    durations: dict[str, float] = {}
    failed: list[str] = []

    def in_child() -> None:
        # coverage's own fork hook (registered by start() above, so it runs
        # first) has started a fresh Coverage here; label it with the test.
        child = coverage.Coverage.current()
        if child is None:
            return
        child.switch_context(current["test"])
        real_exit = os._exit

        def exit_saving(status: int) -> Any:
            try:
                child.stop()
                child.save()
            finally:
                real_exit(status)

        os._exit = exit_saving

    os.register_at_fork(after_in_child=in_child)
    parent_pid = os.getpid()
    import pytest

    class Plugin:
        def pytest_sessionstart(self) -> None:
            module_name, _, func_name = child_entry.partition(":")
            try:
                import importlib

                module = importlib.import_module(module_name)
                original = getattr(module, func_name)
            except (ImportError, AttributeError):
                print(f"mutate: no child entry {child_entry}; relying on os._exit", file=sys.stderr)
                return

            def saving(*args: Any, **kwargs: Any) -> Any:
                try:
                    return original(*args, **kwargs)
                finally:
                    if os.getpid() != parent_pid:
                        child = coverage.Coverage.current()
                        if child is not None:
                            child.save()

            setattr(module, func_name, saving)

        def pytest_runtest_logreport(self, report: Any) -> None:
            if report.failed and report.nodeid not in failed:
                failed.append(report.nodeid)

        @pytest.hookimpl(wrapper=True)
        def pytest_runtest_protocol(self, item: Any, nextitem: Any) -> Iterator[None]:
            current["test"] = item.nodeid
            cov.switch_context(item.nodeid)
            started = time.perf_counter()
            try:
                return (yield)
            finally:
                durations[item.nodeid] = time.perf_counter() - started
                current["test"] = ""
                cov.switch_context("")

    exit_code = int(
        pytest.main(["-q", "-p", "no:cacheprovider", *_pytest_extra()], plugins=[Plugin()])
    )
    cov.stop()
    cov.save()
    combined = coverage.Coverage(config_file=str(rc))
    combined.combine(data_paths=[str(data_dir)], keep=False)
    data = combined.get_data()
    tests = sorted(durations)
    index = {t: i for i, t in enumerate(tests)}
    lines: dict[str, dict[int, list[int]]] = {}
    for filename in data.measured_files():
        try:
            rel = Path(filename).resolve().relative_to(REPO).as_posix()
        except ValueError:
            continue
        by_line: dict[int, list[int]] = {}
        for lineno, contexts in data.contexts_by_lineno(filename).items():
            ids = sorted({index.get(c, -1) for c in contexts})
            by_line[lineno] = ids
        lines[rel] = by_line
    result = CoverageMap(
        tests=tests,
        durations=[durations[t] for t in tests],
        lines=lines,
        fingerprint="",
        pytest_exit=exit_code,
        failed=failed,
    )
    Path(out).write_text(json.dumps(result.to_json()))
    return 0


# ---------------------------------------------------------------- test selection


_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class GivenTests:
    """``--tests``: the same named tests for every mutant, no coverage map.

    For settling a batch of mutants by hand (the tests of the code they touch
    are known) where building the coverage map, the whole suite under
    coverage, would take longer than the run. A survivor here may still be
    caught by a test outside the list: it is a lead, not a verdict.
    """

    def __init__(self, tests: Sequence[str], seconds: float) -> None:
        per = seconds / max(1, len(tests))
        self.cov = CoverageMap(
            tests=list(tests),
            durations=[per] * len(tests),
            lines={},
            fingerprint="",
            pytest_exit=0,
        )

    def tests_for(self, mutant: Mutant) -> tuple[list[int], str]:
        return list(range(len(self.cov.tests))), "given tests (--tests)"

    def _order(self, tests: Iterable[int]) -> list[int]:
        return sorted(set(tests))


class Selector:
    """Which tests to run for a mutated line."""

    def __init__(self, cov: CoverageMap, root: Path = REPO) -> None:
        self.cov = cov
        self.root = root
        self._trees: dict[str, ast.Module] = {}
        self._mentions: dict[str, dict[str, set[int]]] | None = None
        self._test_names: dict[str, set[int]] | None = None

    def tree(self, module: str) -> ast.Module:
        if module not in self._trees:
            self._trees[module] = ast.parse((self.root / module).read_text())
        return self._trees[module]

    def tests_for(self, mutant: Mutant) -> tuple[list[int], str]:
        """Test indexes (fastest first) and how they were chosen."""
        module, line = mutant.module, mutant.line
        covered = self.cov.lines.get(module, {}).get(line)
        if not covered:
            return [], "no tests: the line never ran"
        attributed = {i for i in covered if i >= 0}
        if mutant.runtime:
            if attributed:
                return self._order(attributed), "coverage"
            return self._order(self._module_tests(module)), "unattributed: tests running the module"
        # Run at import: coverage names only the test that imported the module
        # first; add the tests that use what the statement defines.
        found = attributed | self._by_names(module, line)
        if found:
            return self._order(found), "import-time line: tests using the names it binds"
        return self._order(self._module_tests(module)), "unattributed: tests running the module"

    def _order(self, tests: Iterable[int]) -> list[int]:
        return sorted(set(tests), key=lambda i: (self.cov.durations[i], i))

    def _module_tests(self, module: str) -> set[int]:
        return {i for ids in self.cov.lines.get(module, {}).values() for i in ids if i >= 0}

    def _statements_at(self, module: str, line: int) -> list[ast.stmt]:
        """The module- and class-level statements containing the line, outermost first."""
        chain: list[ast.stmt] = []
        body: list[ast.stmt] = self.tree(module).body
        while True:
            for stmt in body:
                first = min([stmt.lineno, *(d.lineno for d in _decorators(stmt))])
                if first <= line <= (stmt.end_lineno or stmt.lineno):
                    chain.append(stmt)
                    body = stmt.body if isinstance(stmt, ast.ClassDef) else []
                    break
            else:
                return chain
            if not body:
                return chain

    def mentions(self) -> dict[str, dict[str, set[int]]]:
        """module -> name -> lines mentioning it, for every measured module."""
        if self._mentions is None:
            self._mentions = {}
            for module in self.cov.lines:
                path = self.root / module
                if not path.exists():
                    continue
                table: dict[str, set[int]] = {}
                try:
                    toks = list(tokenize.generate_tokens(io.StringIO(path.read_text()).readline))
                except (tokenize.TokenError, SyntaxError):
                    continue
                for tok in toks:
                    if tok.type == tokenize.NAME:
                        table.setdefault(tok.string, set()).add(tok.start[0])
                self._mentions[module] = table
        return self._mentions

    def _by_names(self, module: str, line: int) -> set[int]:
        """Tests covering a line that mentions a name bound by the statements at ``line``.

        Followed through other import-time statements: ``for spec in
        FUNCTIONS: BY_NAME[...] = spec`` leads from FUNCTIONS to BY_NAME.
        """
        names: set[str] = set()
        seen_tops: set[tuple[str, int]] = set()
        for stmt in self._statements_at(module, line):
            names |= _bound_names(stmt)
            seen_tops.add((module, stmt.lineno))
        seen_names: set[str] = set()
        tests: set[int] = set()
        while names:
            name = names.pop()
            if name in seen_names:
                continue
            seen_names.add(name)
            for other, table in self.mentions().items():
                for mention in table.get(name, ()):
                    ids = [i for i in self.cov.lines.get(other, {}).get(mention, []) if i >= 0]
                    tests.update(ids)
                    chain = self._statements_at(other, mention)
                    if not chain or (other, chain[0].lineno) in seen_tops:
                        continue
                    seen_tops.add((other, chain[0].lineno))
                    if not isinstance(chain[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
                        if not isinstance(chain[0], (ast.Import, ast.ImportFrom, ast.ClassDef)):
                            names.update(_bound_names(chain[0]))
            tests |= self._tests_naming(name)
        return tests

    def _tests_naming(self, name: str) -> set[int]:
        """Tests whose own function body names ``name`` (a test that pins a
        documented constant, ``evaluate.ZERO_MARGIN == 48``, covers no line that
        mentions it)."""
        if self._test_names is None:
            self._test_names = {}
            bodies: dict[str, dict[str, set[str]]] = {}
            for index, nodeid in enumerate(self.cov.tests):
                path, _, rest = nodeid.partition("::")
                function = rest.split("[", 1)[0].split("::")[-1]
                if path not in bodies:
                    bodies[path] = {}
                    try:
                        module = ast.parse((self.root / path).read_text())
                    except (OSError, SyntaxError):
                        module = ast.Module(body=[], type_ignores=[])
                    for node in ast.walk(module):
                        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            bodies[path][node.name] = {
                                n.id if isinstance(n, ast.Name) else n.attr
                                for n in ast.walk(node)
                                if isinstance(n, (ast.Name, ast.Attribute))
                            }
                for named in bodies[path].get(function, set()):
                    self._test_names.setdefault(named, set()).add(index)
        return self._test_names.get(name, set())


def _decorators(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return list(stmt.decorator_list)
    return []


def _bound_names(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    names: set[str] = set()
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target]
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        targets = [stmt.target]
        for sub in stmt.body:
            names |= _bound_names(sub)
    elif isinstance(stmt, (ast.If, ast.With, ast.Try)):
        for sub in [*stmt.body, *getattr(stmt, "orelse", [])]:
            names |= _bound_names(sub)
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
                names.add(node.value.id)
    return names


# ---------------------------------------------------------------- running mutants


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed, timeout, survived, no-tests, error
    tests: int  # how many tests were selected
    selection: str
    seconds: float
    killed_by: str = ""
    detail: str = ""
    equivalent: str = ""  # the reason, when listed as equivalent


class WorkerCopy:
    """A private copy of the repository where mutants are written and tested."""

    def __init__(self, root: Path, base: Path, number: int) -> None:
        self.dir = base / f"w{number}"
        for name in _project_files(root):
            if name.startswith(".mutate-cache/"):
                continue
            dest = self.dir / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, dest)
        self.originals: dict[str, str] = {}

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        old = env.get("PYTHONPATH")
        env["PYTHONPATH"] = str(self.dir) + (os.pathsep + old if old else "")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("COVERAGE_PROCESS_START", None)
        env.pop("COVERAGE_PROCESS_CONFIG", None)
        return env

    def check_imports_copy(self, modules: Sequence[str]) -> None:
        """Fail unless python started in (and beside) this copy imports the copy."""
        names = sorted({".".join(Path(m).with_suffix("").parts) for m in modules})
        code = (
            "import importlib, json, sys; "
            "print(json.dumps([importlib.import_module(n).__file__ for n in sys.argv[1:]]))"
        )
        for cwd in (self.dir, Path(tempfile.gettempdir())):
            out = subprocess.run(  # noqa: S603
                [sys.executable, "-c", code, *names],
                cwd=cwd,
                env=self.env(),
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for name, filename in zip(names, json.loads(out), strict=True):
                if not Path(filename).resolve().is_relative_to(self.dir.resolve()):
                    raise SystemExit(f"{name} is imported from {filename}, not from the copy")

    def write(self, module: str, text: str) -> None:
        path = self.dir / module
        if module not in self.originals:
            self.originals[module] = path.read_text()
        path.write_text(text)

    def restore(self, module: str) -> None:
        if module in self.originals:
            (self.dir / module).write_text(self.originals[module])


_FAILED_RE = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)


def run_tests(
    copy: WorkerCopy, tests: Sequence[str], timeout: float
) -> tuple[str, float, str, str]:
    """(status, seconds, first failing test, tail of the output)."""
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    cmd += [*_pytest_extra(), *tests]
    started = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603
        cmd,
        cwd=copy.dir,
        env=copy.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, _ = proc.communicate()
        return "timeout", time.monotonic() - started, "", (out or "")[-2000:]
    finally:
        # a test's own children (the forked symbolic worker) must not outlive the run
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    seconds = time.monotonic() - started
    tail = out[-2000:]
    failed = _FAILED_RE.search(out)
    first = failed.group(1) if failed else ""
    code = proc.returncode
    if code == 0:
        return "survived", seconds, "", tail
    if code == 5:  # no tests collected: the selection is wrong, not the mutant
        return "error", seconds, "", tail
    # 1 tests failed, 2 interrupted (a collection error), 3 internal error,
    # 4 usage error (conftest.py failed to import), < 0 killed by a signal: the
    # same command passes on the unmutated copy (the baseline), so the mutant did it.
    if not first:
        lines = [ln for ln in out.splitlines() if "Error" in ln or "error" in ln]
        first = f"pytest exit {code}" + (f": {lines[0].strip()[:120]}" if lines else "")
    return "killed", seconds, first, tail


def run_mutants(
    mutants: Sequence[Mutant],
    sources: dict[str, str],
    selector: Selector | GivenTests,
    *,
    jobs: int,
    timeout: float | None,
    equivalents: dict[str, Equivalent],
    baseline: bool,
    progress: Callable[[int, int, Outcome], None],
) -> list[Outcome]:
    base = Path(tempfile.mkdtemp(prefix="derivcli-mutate-"))
    try:
        copies = [WorkerCopy(REPO, base, n) for n in range(jobs)]
        modules = sorted({m.module for m in mutants})
        for copy in copies:
            copy.check_imports_copy(modules)
        if baseline:
            every = sorted({t for m in mutants for t in selector.tests_for(m)[0]})
            names = [selector.cov.tests[i] for i in selector._order(every)]
            if names:
                print(f"baseline: {len(names)} selected tests, unmutated ...", file=sys.stderr)
                status, seconds, first, tail = run_tests(copies[0], names, 3600)
                if status != "survived":
                    sys.stderr.write(tail)
                    raise SystemExit(f"the unmutated baseline fails ({first}); fix that first")
                print(f"  passes in {seconds:.1f} s", file=sys.stderr)
        free: queue.Queue[WorkerCopy] = queue.Queue()
        for copy in copies:
            free.put(copy)
        lock = threading.Lock()
        done: list[Outcome] = []

        def one(mutant: Mutant) -> Outcome:
            indexes, how = selector.tests_for(mutant)
            equivalent = equivalents.get(mutant.id)
            reason = equivalent.reason if equivalent else ""
            if not indexes:
                outcome = Outcome(mutant, "no-tests", 0, how, 0.0, equivalent=reason)
            else:
                names = [selector.cov.tests[i] for i in indexes]
                budget = timeout
                if budget is None:
                    budget = 30.0 + 3.0 * sum(selector.cov.durations[i] for i in indexes)
                copy = free.get()
                try:
                    copy.write(mutant.module, mutated_source(sources[mutant.module], mutant))
                    status, seconds, first, tail = run_tests(copy, names, budget)
                finally:
                    copy.restore(mutant.module)
                    free.put(copy)
                outcome = Outcome(
                    mutant,
                    status,
                    len(names),
                    how,
                    seconds,
                    killed_by=first,
                    detail=tail if status == "error" else "",
                    equivalent=reason,
                )
            with lock:
                done.append(outcome)
                progress(len(done), len(mutants), outcome)
            return outcome

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(one, mutants))
        return results
    finally:
        shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------- reports


CAUGHT = ("killed", "timeout")


@dataclass
class ModuleSummary:
    module: str
    mutants: int = 0
    killed: int = 0
    timeout: int = 0
    survived: int = 0
    equivalent: int = 0
    no_tests: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def caught(self) -> int:
        return self.killed + self.timeout

    @property
    def score(self) -> float | None:
        judged = self.mutants - self.equivalent
        return self.caught / judged if judged else None


@dataclass
class Report:
    summaries: list[ModuleSummary]
    outcomes: list[Outcome]
    stale_equivalents: list[str] = field(default_factory=list)
    wrong_equivalents: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0


def is_equivalent_survivor(outcome: Outcome) -> bool:
    return bool(outcome.equivalent) and outcome.status not in CAUGHT


def summarize(
    outcomes: Sequence[Outcome], modules: Sequence[str], equivalents: dict[str, Equivalent]
) -> Report:
    by_module = {m: ModuleSummary(m) for m in modules}
    for outcome in outcomes:
        summary = by_module.setdefault(outcome.mutant.module, ModuleSummary(outcome.mutant.module))
        summary.mutants += 1
        summary.seconds += outcome.seconds
        if outcome.status == "killed":
            summary.killed += 1
        elif outcome.status == "timeout":
            summary.timeout += 1
        elif is_equivalent_survivor(outcome):
            summary.equivalent += 1
        else:
            summary.survived += 1
            summary.no_tests += outcome.status == "no-tests"
            summary.errors += outcome.status == "error"
    wrong = [o.mutant.id for o in outcomes if o.equivalent and o.status in CAUGHT]
    return Report(list(by_module.values()), list(outcomes), [], wrong)


def format_table(report: Report) -> str:
    header = ("module", "mutants", "caught", "timeout", "survived", "equivalent", "score", "time")
    rows: list[tuple[str, ...]] = [header]
    total = ModuleSummary("total")
    for s in report.summaries:
        rows.append(_row(s))
        for name in ("mutants", "killed", "timeout", "survived", "equivalent", "no_tests"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
        total.errors += s.errors
        total.seconds += s.seconds
    if len(report.summaries) > 1:
        rows.append(_row(total))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines.append("")
    lines.append(
        "caught = killed by a failing test + caught by timeout (shown apart);"
        " score = caught / (mutants - equivalent); time = test-run seconds, both workers added."
    )
    return "\n".join(lines)


def _row(s: ModuleSummary) -> tuple[str, ...]:
    score = "-" if s.score is None else f"{100 * s.score:.1f}%"
    survived = str(s.survived) + (f" ({s.no_tests} no tests)" if s.no_tests else "")
    return (
        s.module,
        str(s.mutants),
        str(s.caught),
        str(s.timeout),
        survived,
        str(s.equivalent),
        score,
        f"{s.seconds:.0f} s",
    )


def format_survivors(report: Report, sources: dict[str, str]) -> str:
    out: list[str] = []
    for summary in report.summaries:
        module_outcomes = [o for o in report.outcomes if o.mutant.module == summary.module]
        survivors = [o for o in module_outcomes if o.status not in CAUGHT and not o.equivalent]
        equivalent = [o for o in module_outcomes if is_equivalent_survivor(o)]
        if not survivors and not equivalent:
            continue
        out.append(f"\n{summary.module}: {len(survivors)} survived, {len(equivalent)} equivalent")
        for o in sorted(survivors, key=lambda o: (o.mutant.line, o.mutant.col)):
            out.append(_survivor_line(o, sources))
        for o in sorted(equivalent, key=lambda o: (o.mutant.line, o.mutant.col)):
            out.append(_survivor_line(o, sources) + f"\n      equivalent: {o.equivalent}")
    if report.stale_equivalents:
        out.append("\nequivalent_mutants.toml lists ids that no longer exist (stale):")
        out += [f"  {i}" for i in report.stale_equivalents]
    if report.wrong_equivalents:
        out.append("\nequivalent_mutants.toml lists mutants that are caught (not equivalent):")
        out += [f"  {i}" for i in report.wrong_equivalents]
    return "\n".join(out)


def _survivor_line(o: Outcome, sources: dict[str, str]) -> str:
    m = o.mutant
    old, new = line_pair(sources[m.module], m)
    note = {"no-tests": " [no test runs this line]", "error": " [pytest error]"}.get(o.status, "")
    return (
        f"  {m.module}:{m.line}:{m.col + 1} {m.description}{note}\n"
        f"      - {old}\n"
        f"      + {new}\n"
        f"      id {m.id}  ({o.tests} tests, {o.selection})"
    )


def report_json(report: Report, sources: dict[str, str], args: dict[str, Any]) -> dict[str, Any]:
    mutants = []
    for o in report.outcomes:
        old, new = line_pair(sources[o.mutant.module], o.mutant)
        entry = {k: v for k, v in asdict(o.mutant).items() if k != "edits"}
        entry.update(
            status="equivalent" if is_equivalent_survivor(o) else o.status,
            run_status=o.status,
            tests=o.tests,
            selection=o.selection,
            seconds=round(o.seconds, 2),
            killed_by=o.killed_by,
            original=old,
            mutated=new,
            equivalent_reason=o.equivalent,
        )
        mutants.append(entry)
    return {
        "args": args,
        "wall_seconds": round(report.wall_seconds, 1),
        "modules": [
            {
                "module": s.module,
                "mutants": s.mutants,
                "caught": s.caught,
                "killed": s.killed,
                "timeout": s.timeout,
                "survived": s.survived,
                "no_tests": s.no_tests,
                "equivalent": s.equivalent,
                "score": s.score,
                "seconds": round(s.seconds, 1),
            }
            for s in report.summaries
        ],
        "stale_equivalents": report.stale_equivalents,
        "wrong_equivalents": report.wrong_equivalents,
        "mutants": mutants,
    }


# ---------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tools/mutate.py",
        description="Mutation testing of derivcli's verdict path (run by hand, not in CI).",
    )
    p.add_argument(
        "modules",
        nargs="*",
        default=None,
        help="module files to mutate, relative to the repository (default: "
        f"{', '.join(DEFAULT_MODULES)}; with --only or --show, the modules the ids name)",
    )
    p.add_argument("--jobs", "-j", type=int, default=2, help="mutants tested in parallel")
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds per mutant (default: 30 + 3x the selected tests' time under coverage)",
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N mutants")
    p.add_argument("--sample", type=int, default=None, help="a random N of the mutants")
    p.add_argument("--seed", type=int, default=0, help="the seed of --sample")
    p.add_argument("--only", action="append", default=[], metavar="ID", help="run this mutant")
    p.add_argument("--show", action="append", default=[], metavar="ID", help="print its diff")
    p.add_argument("--list", action="store_true", help="list the mutants and stop")
    p.add_argument(
        "--json",
        type=Path,
        default=CACHE_DIR / "last-run.json",
        help="where to write the machine-readable report (default: %(default)s)",
    )
    p.add_argument("--refresh-coverage", action="store_true", help="rebuild the coverage map")
    p.add_argument(
        "--child-entry",
        default=DEFAULT_CHILD_ENTRY,
        help="module:function that forked children run; coverage is saved after each call",
    )
    p.add_argument("--no-baseline", action="store_true", help="skip the unmutated check run")
    p.add_argument(
        "--tests",
        action="append",
        default=[],
        metavar="PYTEST_ID",
        help="run these tests (files or node ids) for every mutant instead of the"
        " coverage selection; no coverage map is built, so a survivor is only a lead",
    )
    p.add_argument(
        "--rescore",
        type=Path,
        metavar="JSON",
        help="report an earlier run's JSON again with the current equivalent_mutants.toml"
        " (nothing is run; the sources must be unchanged)",
    )
    return p


def _resolve(ident: str, mutants: Sequence[Mutant]) -> Mutant:
    exact = [m for m in mutants if m.id == ident]
    if exact:
        return exact[0]
    prefix = [m for m in mutants if m.id.startswith(ident)]
    if len(prefix) == 1:
        return prefix[0]
    raise SystemExit(f"{ident}: {'ambiguous' if prefix else 'no such mutant'}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_collect"]:
        return _collect_main(argv[1:])
    args = _parser().parse_args(argv)
    named = [Path(m).as_posix() for m in args.modules or ()]
    modules = named or list(DEFAULT_MODULES)
    earlier: dict[str, Any] | None = None
    if args.rescore is not None:
        earlier = json.loads(args.rescore.read_text())
        assert earlier is not None
        modules = list(earlier["args"]["modules"])
    if (args.only or args.show) and not named:
        # only the modules the ids name: parsing the others takes minutes
        modules = []
    for ident in [*args.only, *args.show]:  # an id names its module
        candidate = ident.split(":", 1)[0]
        if candidate not in modules and candidate.endswith(".py") and (REPO / candidate).is_file():
            modules.append(candidate)
    sources: dict[str, str] = {}
    mutants: list[Mutant] = []
    for module in modules:
        path = REPO / module
        if not path.is_file():
            raise SystemExit(f"{module}: no such file under {REPO}")
        sources[module] = path.read_text()
        # --show prints one diff: parsing the whole module again for every
        # mutant (the check, minutes for analysis.py) is for the runs
        mutants += find_mutants(
            sources[module],
            module,
            verify=not args.show,
            verify_only=[*args.only] if args.only else None,
        )
    equivalents = load_equivalents()

    if args.show:
        for ident in args.show:
            mutant = _resolve(ident, mutants)
            print(f"# {mutant.id}  {mutant.module}:{mutant.line} {mutant.description}")
            print(show_diff(sources[mutant.module], mutant))
        return 0
    if args.list:
        for m in mutants:
            old, new = line_pair(sources[m.module], m)
            mark = "  [equivalent]" if m.id in equivalents else ""
            print(f"{m.id}  line {m.line}: {m.description}{mark}\n    - {old}\n    + {new}")
        print(f"{len(mutants)} mutants", file=sys.stderr)
        return 0

    if earlier is not None:
        by_id = {m.id: m for m in mutants}
        outcomes = []
        for entry in earlier["mutants"]:
            found = by_id.get(entry["id"])
            if found is None:
                raise SystemExit(f"{entry['id']}: not a mutant of the current sources; run again")
            listed = equivalents.get(found.id)
            outcomes.append(
                Outcome(
                    found,
                    str(entry["run_status"]),
                    int(entry["tests"]),
                    str(entry["selection"]),
                    float(entry["seconds"]),
                    killed_by=str(entry["killed_by"]),
                    equivalent=listed.reason if listed else "",
                )
            )
        report = summarize(outcomes, modules, equivalents)
        report.wall_seconds = float(earlier["wall_seconds"])
        return _finish(report, mutants, equivalents, sources, args, dict(earlier["args"]))

    selected = mutants
    if args.only:
        selected = [_resolve(i, mutants) for i in args.only]
    if args.sample is not None:
        selected = sorted(
            random.Random(args.seed).sample(  # noqa: S311 - a sample, not a secret
                selected, min(args.sample, len(selected))
            ),
            key=mutants.index,
        )
    if args.limit is not None:
        selected = selected[: args.limit]

    selector: Selector | GivenTests
    if args.tests:
        # the timeout default (30 s + 3x the tests' time) needs a time: 60 s
        # stands in for the given tests, unmutated, under load
        selector = GivenTests(args.tests, 60.0)
    else:
        cov = load_coverage(measured_dirs(modules), args.child_entry, refresh=args.refresh_coverage)
        selector = Selector(cov)
    started = time.monotonic()

    def progress(n: int, total: int, o: Outcome) -> None:
        m = o.mutant
        label = "equivalent" if is_equivalent_survivor(o) else o.status
        print(
            f"[{n}/{total}] {label:10} {m.module}:{m.line} {m.description}"
            f"  ({o.tests} tests, {o.seconds:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    outcomes = run_mutants(
        selected,
        sources,
        selector,
        jobs=max(1, args.jobs),
        timeout=args.timeout,
        equivalents=equivalents,
        baseline=not args.no_baseline and not args.only,
        progress=progress,
    )
    shown = [m for m in modules if any(o.mutant.module == m for o in outcomes)]
    report = summarize(outcomes, shown, equivalents)
    report.wall_seconds = time.monotonic() - started
    args_json = {
        "modules": modules,
        "jobs": args.jobs,
        "timeout": args.timeout,
        "limit": args.limit,
        "sample": args.sample,
        "only": args.only,
        "tests": args.tests,
    }
    return _finish(report, mutants, equivalents, sources, args, args_json)


def _finish(
    report: Report,
    mutants: Sequence[Mutant],
    equivalents: dict[str, Equivalent],
    sources: dict[str, str],
    args: argparse.Namespace,
    args_json: dict[str, Any],
) -> int:
    modules = [s.module for s in report.summaries]
    everything = {m.id for m in mutants}
    report.stale_equivalents = sorted(
        i for i in equivalents if i.split(":", 1)[0] in modules and i not in everything
    )
    print(format_table(report))
    print(format_survivors(report, sources))
    print(f"\nwall time {report.wall_seconds:.0f} s with {args_json['jobs']} workers")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report_json(report, sources, args_json), indent=1) + "\n")
    print(f"JSON report: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
