"""Unit tests of the mutator in tools/mutate.py (no test suite is run here)."""

from __future__ import annotations

import ast
import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "mutate.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derivcli_mutate_tool", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


mutate = _load()

SAMPLE = textwrap.dedent(
    '''\
    """Module docstring: 1 < 2 is text, not code."""

    from __future__ import annotations

    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        LIMIT_FOR_TYPES = 3 + 4

    __all__ = ["close", "pick"]

    TOLERANCE = 1e-7


    def close(a: float, b: float = 0.5) -> bool:
        """Docstring 2 > 1."""
        if a is None or not b:
            return False
        return abs(a - b) <= TOLERANCE * max(1.0, -b)


    def pick(items: list[int]) -> int:
        total = 0
        for item in items:
            if item in (1, 2):
                continue
            if item == 7:
                break
            total += item
        assert total >= 0
        log.debug("total %d", total + 1)
        return min(total, items[0])


    def kept(x: int) -> int:
        return x * 3  # pragma: no mutate
    '''
)


def _found(source: str = SAMPLE) -> list[tuple[int, str, str]]:
    return [(m.line, m.operator, m.description) for m in mutate.find_mutants(source, "pkg/m.py")]


def test_finds_the_expected_mutants() -> None:
    found = _found()
    expected = {
        (12, "num_x10", "1e-07 -> 1e-06 (x10)"),
        (12, "num_div10", "1e-07 -> 1e-08 (/10)"),
        (12, "num_neg", "1e-07 -> (-1e-07) (sign)"),
        (15, "num_x10", "0.5 -> 5.0 (x10)"),  # a default value runs
        (17, "cmp_is_isnot", "is -> is not"),
        (17, "bool_or_and", "or -> and"),
        (17, "not_drop", "not removed"),
        (18, "false_true", "False -> True"),
        (18, "return_none", "return X -> return None"),
        (19, "cmp_le_lt", "<= -> <"),
        (19, "arith_sub_add", "- -> +"),
        (19, "arith_mul_div", "* -> /"),
        (19, "max_min", "max -> min"),
        (19, "neg_drop", "- removed"),
        (23, "num_inc", "0 -> 1 (+1)"),
        (23, "num_dec", "0 -> (-1) (-1)"),
        (25, "cmp_in_notin", "in -> not in"),
        (26, "continue_break", "continue -> break"),
        (27, "cmp_eq_ne", "== -> !="),
        (27, "num_inc", "7 -> 8 (+1)"),
        (27, "num_dec", "7 -> 6 (-1)"),
        (27, "num_neg", "7 -> (-7) (sign)"),
        (28, "break_continue", "break -> continue"),
        (29, "aug_add_sub", "+= -> -="),
        (32, "min_max", "min -> max"),
        (32, "num_inc", "0 -> 1 (+1)"),  # an index: +1 only, keeps its sign
        (32, "return_none", "return X -> return None"),
    }
    assert expected <= set(found), sorted(expected - set(found))
    # a float 1.0 has no +1/-1; an index 0 has no -1
    assert (19, "num_inc", "1.0 -> 2.0 (+1)") not in found
    assert not any(line == 32 and op == "num_dec" for line, op, _ in found)


def test_skipped_lines_are_skipped() -> None:
    lines = {line for line, _, _ in _found()}
    assert 1 not in lines  # the module docstring
    assert 8 not in lines  # if TYPE_CHECKING:
    assert 10 not in lines  # __all__
    assert 16 not in lines  # a function docstring
    assert 30 not in lines  # assert
    assert 31 not in lines  # a logging call
    assert 36 not in lines  # pragma: no mutate
    # annotations: `float` in the signature and `list[int]` are never touched
    assert all(m.line != 22 for m in mutate.find_mutants(SAMPLE, "pkg/m.py"))


def test_every_mutant_parses_and_keeps_line_numbers() -> None:
    for m in mutate.find_mutants(SAMPLE, "pkg/m.py"):
        text = mutate.mutated_source(SAMPLE, m)
        assert text != SAMPLE
        assert text.count("\n") == SAMPLE.count("\n")
        ast.parse(text)


def test_text_edits_are_token_exact() -> None:
    by_desc = {(m.line, m.description): m for m in mutate.find_mutants(SAMPLE, "pkg/m.py")}
    cases = {
        (17, "is -> is not"): "if a is not None or not b:",
        (17, "not removed"): "if a is None or b:",
        (19, "- removed"): "return abs(a - b) <= TOLERANCE * max(1.0, b)",
        (12, "1e-07 -> (-1e-07) (sign)"): "TOLERANCE = (-1e-07)",
        (25, "in -> not in"): "if item not in (1, 2):",
    }
    for key, line in cases.items():
        old, new = mutate.line_pair(SAMPLE, by_desc[key])
        assert new == line, (key, new)


def test_ids_are_stable_when_unrelated_lines_move() -> None:
    before = {m.id: (m.line, m.description) for m in mutate.find_mutants(SAMPLE, "pkg/m.py")}
    shifted = SAMPLE.replace("TOLERANCE = 1e-7\n", "TOLERANCE = 1e-7\nOTHER = 2\n\n")
    after = {m.id: (m.line, m.description) for m in mutate.find_mutants(shifted, "pkg/m.py")}
    assert set(before) <= set(after)
    for ident, (line, description) in before.items():
        moved = line + 2 if line > 12 else line
        assert after[ident] == (moved, description)
    # ids look like module:hash:column:operator:index and are unique
    assert len(before) == len(mutate.find_mutants(SAMPLE, "pkg/m.py"))
    some = next(iter(before))
    module, digest, col, operator, index = some.split(":")
    assert module == "pkg/m.py" and len(digest) == 8 and col.isdigit() and index.isdigit()


def test_equal_lines_in_one_scope_get_distinct_ids() -> None:
    source = "T = (\n    f(kink=True),\n    f(kink=True),\n)\n"
    ids = [m.id for m in mutate.find_mutants(source, "m.py")]
    assert len(ids) == len(set(ids)) == 2
    assert ids[0].endswith(":0") and ids[1].endswith(":1")


def test_import_time_and_runtime_mutants_are_told_apart() -> None:
    source = "X = 1\nF = lambda a: a + 2\n\n\ndef g(y=3):\n    return y - 4\n"
    runtime = {m.description: m.runtime for m in mutate.find_mutants(source, "m.py")}
    assert runtime["1 -> 2 (+1)"] is False  # module level
    assert runtime["+ -> -"] is True  # lambda body
    assert runtime["3 -> 4 (+1)"] is False  # a default, evaluated at import
    assert runtime["- -> +"] is True


def test_multi_line_return_keeps_the_line_count() -> None:
    source = "def f(a, b):\n    return g(\n        a,\n        b,\n    )\n"
    (mutant,) = [m for m in mutate.find_mutants(source, "m.py") if m.operator == "return_none"]
    text = mutate.mutated_source(source, mutant)
    assert text.count("\n") == source.count("\n")
    assert "return None" in text


def test_show_diff_and_boolean_chain() -> None:
    source = "ok = a and b and c\n"
    (mutant,) = [m for m in mutate.find_mutants(source, "m.py") if m.operator == "bool_and_or"]
    assert mutate.mutated_source(source, mutant) == "ok = a or b or c\n"
    diff = mutate.show_diff(source, mutant)
    assert "-ok = a and b and c" in diff and "+ok = a or b or c" in diff


def test_a_real_module_mutates_cleanly() -> None:
    """The smallest default module that exists (paths move as the package is restructured)."""
    root = TOOL.parent.parent
    present = [m for m in mutate.DEFAULT_MODULES if (root / m).is_file()]
    if not present:
        pytest.skip("none of the default modules exists any more")
    module = min(present, key=lambda m: (root / m).stat().st_size)
    mutants = mutate.find_mutants((root / module).read_text(), module)  # verifies each
    assert mutants
    assert len({m.id for m in mutants}) == len(mutants)


def test_equivalents_file_entries_have_reasons() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("tomllib")
    entries = mutate.load_equivalents()
    for ident, entry in entries.items():
        assert entry.reason
        assert ident.count(":") == 4


def test_a_test_that_names_a_constant_is_selected_for_it(tmp_path: Path) -> None:
    # a test pinning a documented constant (ZERO_MARGIN == 48) covers no line
    # that mentions it, yet is the one that kills ZERO_MARGIN = 47
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(
        "def test_pins():\n    assert evaluate.ZERO_MARGIN == 48\n\n"
        "def test_other():\n    assert 1\n"
    )
    cov = mutate.CoverageMap(
        tests=["tests/test_x.py::test_pins", "tests/test_x.py::test_other[a]"],
        durations=[0.1, 0.1],
        lines={},
        fingerprint="",
        pytest_exit=0,
    )
    selector = mutate.Selector(cov, root=tmp_path)
    assert selector._tests_naming("ZERO_MARGIN") == {0}
    assert selector._tests_naming("evaluate") == {0}
    assert selector._tests_naming("PRECISION") == set()


def test_given_tests_run_for_every_mutant() -> None:
    # --tests: the named tests, in the order given, for any mutant, labelled so
    # that a report never passes them off as the coverage selection
    selector = mutate.GivenTests(["tests/test_b.py", "tests/test_a.py::test_one"], 60.0)
    mutant = mutate.find_mutants(SAMPLE, "pkg/m.py")[0]
    indexes, how = selector.tests_for(mutant)
    assert [selector.cov.tests[i] for i in indexes] == [
        "tests/test_b.py",
        "tests/test_a.py::test_one",
    ]
    assert how == "given tests (--tests)"
    assert selector.cov.durations == [30.0, 30.0]


def test_modules_default_only_when_none_is_named() -> None:
    # --only and --show parse just the modules their ids name (all five
    # defaults take minutes); a test file given to --tests is not a module
    args = mutate._parser().parse_args(["--only", "m:1:2:x:0", "--tests", "tests/test_x.py"])
    assert args.modules == [] or args.modules is None
    args = mutate._parser().parse_args(["derivcli/results.py", "--tests", "tests/test_x.py"])
    assert args.modules == ["derivcli/results.py"] and args.tests == ["tests/test_x.py"]


def test_tests_that_failed_under_coverage_survive_the_json_round_trip() -> None:
    cov = mutate.CoverageMap(
        tests=["t::a"], durations=[1.0], lines={}, fingerprint="f", pytest_exit=1, failed=["t::a"]
    )
    again = mutate.CoverageMap.from_json(cov.to_json())
    assert again.failed == ["t::a"] and again.pytest_exit == 1
    # a map written before the field existed reads as "nothing failed"
    old = cov.to_json()
    del old["failed"]
    assert mutate.CoverageMap.from_json(old).failed == []
