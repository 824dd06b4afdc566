"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(issue 16: the seed 35 sample, part a).

Each test pins a fact worked out by hand, never derivcli's own output recorded
as the expectation, and names the mutant(s) it kills (``.venv/bin/python
tools/mutate.py --show ID`` prints one). The inputs are built so that one
reading of the analysis falls exactly where the mutant moves it; the
docstrings say how.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import mpmath
from conftest import Cli, CliRun, one, unit_slope_grid_note

from derivcli.language.evaluate import compile_tree, gmpy2
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import (
    GAP_EXPONENTS,
    SEND_PARSE_UP_TO,
    _gap_stays_finer,
    make_request,
)


def _run(cli: Cli, command: str, text: str, *args: str) -> tuple[CliRun, dict[str, Any]]:
    run = cli(command, text, *args, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return run, one(run)


# ---------------------------------------------------------------- make_request


def test_a_source_of_exactly_1000_characters_sends_its_parse_along() -> None:
    """SEND_PARSE_UP_TO is "the longest source whose parse travels with its
    request": 1,000 characters. "10" followed by 499 times "+x" is 2 + 998 =
    1,000 characters (counted by hand), so its parse travels; one character
    more ("100...") and it does not. Kills analysis.py:c520677b:44:cmp_le_lt:0
    (len(source) < 1000: a source of exactly 1,000 characters is parsed again
    in the worker)."""
    assert SEND_PARSE_UP_TO == 1_000
    exactly = parse("10" + "+x" * 499)
    assert len(exactly.source) == 1_000
    assert make_request(exactly, [("x",)], 60.0).parsed is exactly
    longer = parse("100" + "+x" * 499)
    assert len(longer.source) == 1_001
    assert make_request(longer, [("x",)], 60.0).parsed is None


# ---------------------------------------------------------------- _cost and EXACT_WORK


def _approximate_note(cli: Cli, count: int) -> Any:
    # d/dx of x + digamma(sin(y)) is 1 everywhere (sin(y) is in [0.84, 1] on
    # y in [1, 2], far from digamma's poles at 0, -1, ...)
    return unit_slope_grid_note(cli, "x + digamma(sin(y))", f"x=0:1:{count},y=1:2:{count}", count)


def test_a_grid_just_past_the_exact_work_is_screened_in_float64(cli: Cli) -> None:
    """The grid is evaluated exactly everywhere while count*(cost +
    POINT_OVERHEAD) <= EXACT_WORK = 200,000, the cost being the largest of f's
    and each closed form's exact cost, in instruction-evaluations: 1 a
    variable or an operation, 1 a call of a cheap function such as sin, 75 a
    call of digamma (_EXACT_COST, measured). f = x + digamma(sin(y)) is 5
    instructions (x, y, sin, digamma, +): 1 + 1 + 1 + 75 + 1 = 79; its d/dx
    is 1 (one instruction). So at 1,690 points the work is 1,690*(79 + 40) =
    201,110 > 200,000 (by hand): the grid is screened in float64 and every
    value of d/dx (1, which float64 holds exactly) comes from the screen.
    Kills analysis.py:a7e6bb96:60:num_dec:0 (digamma costs 74: 1,690*118 =
    199,420, exact everywhere) and analysis.py:c9e1f7f1:26:num_dec:0 (a call
    of a function outside _EXACT_COST costs 0: sin is free, the same 199,420)."""
    note = _approximate_note(cli, 1_690)
    assert note == (
        "1,690 closed-form values of this long grid were computed in float64 where that is "
        "accurate to 1e-10; the others exactly"
    )


def test_a_grid_just_within_the_exact_work_is_evaluated_exactly(cli: Cli) -> None:
    """The same f on 1,680 points: 1,680*(79 + 40) = 199,920 <= 200,000 (by
    hand), so every point is evaluated exactly and nothing is screened: no
    note. (The other side of the boundary above.)"""
    assert _approximate_note(cli, 1_680) is None


# ---------------------------------------------------------------- _overflowing_part


def test_the_largest_float64_is_no_overflow(cli: Cli) -> None:
    """x at x = 1.7976931348623157e308, the largest finite float64 (DBL_MAX,
    (2 - 2**-52)*2**1023): f is x itself, within float64's range, so autograd's
    forward value is finite and there is nothing to say about an overflow: the
    derivative 1, agreed, no note. Kills analysis.py:d5248a34:14:cmp_gt_ge:0
    (a part whose exact value equals the largest float64 counted as beyond it:
    "f itself is beyond float64's range here (x is about 1.8e+308)")."""
    largest = sys.float_info.max
    assert largest == (2 - 2.0**-52) * 2.0**1023
    run, result = _run(cli, "grad", "x", "--at", f"x={largest!r}")
    assert run.code == 0
    assert result["verdict"] == "agree"
    assert (result["symbolic"], result["autograd"]) == (1.0, 1.0)
    assert result["note"] is None


# ---------------------------------------------------------------- _on_edge


def test_acosh_at_1_is_an_edge_of_the_domain(cli: Cli) -> None:
    """acosh is defined on [1, inf) only, so f = acosh(x) - acosh(x) is 0 on
    [1, inf) and undefined left of 1: at x = 1 only the right derivative
    exists, and it is 0 (by hand). The closed form of f' is 0, defined
    everywhere, so only the edge test (acosh's argument exactly 1, its one
    edge) sends the point to the analysis. Kills
    analysis.py:8d264368:11:arith_sub_add:0 (abs(arg + edge): acosh's argument
    1 is taken as on an edge only at -1, the point is regular and f' = 0 is
    reported as the derivative)."""
    run, result = _run(cli, "grad", "acosh(x) - acosh(x)", "--at", "x=1")
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (None, 0.0)
    assert "edge of the function's real domain" in result["note"]


# ---------------------------------------------------------------- _gap_shrinks


def test_a_slow_join_whose_term_vanishes_at_2_to_the_minus_1023(cli: Cli) -> None:
    """f = x + 1e-9*relu(-x)**(17/16)*w(x), w = sin(pi/4*(L + 2))**2 *
    sin(pi/4*(L + 3))**2, L = log2(abs(x) + 2**-20000). At |x| = 2**-j, L is
    -j up to 2**-20000 relative (far below every probe step), so w is (up to
    that) 0 for j = 2 or 3 (mod 4) and 1*(1/2) = 1/2 for j = 0 (mod 4). The
    term is at most 1e-9*|x|**(17/16), so f'(0) = 1 (by hand: squeezed
    between x -+ 1e-9*|x|**(17/16)). The left quotients (f(-2h) - f(-h))/-h
    at h = 2**-k, k = 0 (mod 4), are 1 + 1e-9*h**(1/16)/2 (w(2h) = 0, w(h) =
    1/2): still about 2**-95 above 1 at 2**-1024, so the sides (left about
    1 + 2**-95, right 1) differ below 60 bits and the gap of the quotients is
    followed at 2**-1024, 2**-2048 and 2**-4096: 2**-95, 2**-159, 2**-287
    (about), each 2**-64 or more smaller than the one before: one limit,
    reached slowly, and f'(0) = 1. Autograd gives nan (2**-20000 is 0 in
    float64, log2(0) is -inf and sin(-inf) nan), hence DISAGREE. Kills
    analysis.py:f767f31c:17:num_dec:0 (the gap first taken at 2**-1023, where
    w(2h) = w(h) = 0 (j = 1022, 1023): a gap of rounding only, which the one
    at 2**-2048 does not undercut: "cannot decide")."""
    c = "exp(-20000*log(2))"
    w = f"sin(pi/4*(log2(abs(x) + {c}) + 2))**2*sin(pi/4*(log2(abs(x) + {c}) + 3))**2"
    run, result = _run(cli, "grad", f"x + 1e-9*relu(-x)**(17/16)*{w}", "--at", "x=0")
    assert run.code == 1
    assert result["verdict"] == "DISAGREE"
    assert math.isnan(float(result["autograd"]))
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0)
    assert result["note"].startswith("the derivative at x=0 is 1 ")


# ---------------------------------------------------------------- _mixed_difference


def test_a_mixed_difference_settling_past_2_to_the_minus_4096(cli: Cli) -> None:
    """f = y*(sinc(x) + x*psi(y)), psi(y) = 1 + 2**70*relu(y - 1)**(17/16). d/dx
    of f is y*(sinc'(x) + psi(y)), which on the line x = 0 is y*psi(y) (sinc'(0)
    = 0), so d2f/dxdy at (0, 1) is psi(1) + psi'(1) = 1 + 0 = 1 (by hand). The
    closed form of d/dx is 0/0 all along x = 0 (sinc's), so d2/dxdy comes from
    f's own mixed differences, inner step a = h**2 at h = 2**-k. On the right
    they are about 1 + 2**70*(2**(17/16) - 1)*h**(1/16): about 1 + 2**6 at
    2**-1024, 1 + 2**-58 at 2**-2048, 1 + 2**-186 at 2**-4096: not the same to 60
    bits, but settling (the last move 2**-58 is far below 2**-32 of the one
    before), so one more step is taken, at 2**-8192, where the sequence
    settles on 1 (as on the left, where relu is 0). Kills
    analysis.py:53099af6:36:num_inc:0 (a = h**3: at 2**-8192 the difference
    divides f's values, of size 1, by a*h = 2**-32768; the values are taken
    with 3k + 128 = 24,704 bits, then twice that, which is past the 32,768
    bits a difference may take: the quotient is given up as 0, the right side
    has no limit, and a domain edge is reported)."""
    text = "y*(sinc(x) + x*(1 + 2**70*relu(y - 1)**(17/16)))"
    run, result = _run(cli, "partial", text, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1")
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0)
    # the closed form is 0/0 there and autograd gives nan: DISAGREE, with the
    # derivative from the sides
    assert run.code == 1
    assert result["verdict"] == "DISAGREE"
    assert "both one-sided derivatives along y are 1" in result["note"]


# ---------------------------------------------------------------- examine: f's own differences


def test_a_hole_in_the_domain_that_only_the_followed_quotients_reach(cli: Cli) -> None:
    """f = exp(2**-1000*relu(-x)*w(x)) + 0*sqrt(x*(x + 2**-1100)) at x = 0, with
    w = sin(pi*(L + 256)/768)**2*sin(pi*(L + 255)/768)**2, L = log2(abs(x) +
    2**-20000) (-j at |x| = 2**-j, up to 2**-20000 relative). By hand: for x >= 0,
    relu(-x) = 0 and x*(x + 2**-1100) >= 0, so f = 1 and the right derivative
    is 0; for -2**-1100 < x < 0, x*(x + 2**-1100) < 0 and f has no real value:
    there is no left derivative, x = 0 is an edge of f's domain.
    The left quotients (f(-2h) - f(-h))/-h, h = 2**-k, are about
    2**-1000*(2*w(2h) - w(h)): w is 0 (up to pi's rounding) for j = 255 or 256
    (mod 768), so the quotients at 2**-256 and 2**-1024 are 0, while at
    2**-512 (j = 511, 512) they are about 2**-1001: the values 0, 2**-1001, 0
    do not settle, the steps go on to 2**-2048, and -2**-2048 is in the hole:
    no left side. Kills analysis.py:8ffe8f30:37:num_neg:0 (f's own
    differences also tried for a first derivative: they are taken with k + 128
    bits, then twice that, and 1 + 2**-1513 rounds to 1 at 640 and 1,280 bits
    alike, so they read 0, 0, 0, a settled 0 that never reaches the hole: the
    left side 0 meets the right one, and f is called differentiable)."""
    c = "exp(-20000*log(2))"
    w = f"sin(pi*(log2(abs(x) + {c}) + 256)/768)**2*sin(pi*(log2(abs(x) + {c}) + 255)/768)**2"
    text = f"exp(2**-1000*relu(-x)*{w}) + 0*sqrt(x*(x + 2**-1100))"
    run, result = _run(cli, "grad", text, "--at", "x=0")
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (None, 0.0)
    assert "edge of the function's real domain: it is undefined on the left" in result["note"]


# ---------------------------------------------------------------- _gap_stays_finer


def test_the_finer_gap_is_taken_at_the_last_step() -> None:
    """_gap_stays_finer(g, ..., gap) is given the gap between the two sides'
    quotients at the last step of GAP_EXPONENTS, 2**-4096, and takes that
    gap again with 1,280 guard bits: the same (to 60 bits) is a real gap.
    For g = f = relu(-x)**(65/64) at 0 the right quotients are 0 and the
    left ones (f(-2h) - f(-h))/-h = -(2**(65/64) - 1)*h**(1/64) (by hand), so
    the gap at h = 2**-4096 is K*2**-64, K = 2**(65/64) - 1 (mpmath, 400
    bits), and at 2**-2048 it is K*2**-32: the first is the same with more
    guard bits, the second is not the gap at 2**-4096. (Through the CLI the
    two steps' gaps differ only where they already agree to 60 bits with
    640 guard bits, so this pins the step directly.) Kills
    analysis.py:aea4dcdc:25:neg_drop:0 (GAP_EXPONENTS[1:]: the finer gap is
    taken at 2**-2048, and the gap at 2**-4096 is not found again)."""
    assert GAP_EXPONENTS[-1] == 4096
    m = gmpy2()
    f = compile_tree(parse("relu(-x)**(65/64)").tree)
    with mpmath.workprec(400):
        k = mpmath.mpf(2) ** (mpmath.mpf(65) / 64) - 1
        at_4096, at_2048 = (k * mpmath.mpf(2) ** -e for e in (64, 32))
    # compared at 400 bits, so the gap taken again is not rounded to 53 first
    with m.context(m.get_context(), precision=400):
        for gap, same in ((at_4096, True), (at_2048, False)):
            text = mpmath.nstr(gap, 120, min_fixed=1, max_fixed=0)
            assert _gap_stays_finer(f, {"x": 0.0}, "x", f, m.mpfr(text)) is same
