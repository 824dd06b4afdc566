"""The `plot` command, driven through the real entry point."""

from __future__ import annotations

import json
import math
from pathlib import Path

import mpmath
import pytest
from conftest import Cli

from derivcli.commands.main import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_png_is_written_and_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cubic.png"
    code = main(["plot", "x**3-2*x", "--range", "-3:3", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines[0] == f"wrote {out}"
    assert "agree at every point" in lines[1]
    assert len(lines) == 2
    data = out.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 1000
    import matplotlib.image

    image = matplotlib.image.imread(str(out))
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


def test_svg_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sine.SVG"
    code = main(["plot", "sin(x)", "--range", "-pi:pi", "--points", "51", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == ""
    text = out.read_text()
    assert "<svg" in text and text.rstrip().endswith("</svg>")


def test_kink_is_reported_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "relu.png"
    code = main(["plot", "relu(x)", "--range", "-2:2", "--points", "41", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == ""
    assert "not differentiable at 1 kink (x=0)" in captured.out
    assert out.read_bytes()[:8] == PNG_MAGIC


def test_kink_between_grid_points_is_found() -> None:
    from derivcli.plot import compute_plot

    # 0.25 is not on the 10-point grid over -1:1; the kink is found by bisection.
    data = compute_plot("abs(x-0.25)", wrt=None, range_text="-1:1", points=10, at=None, timeout=5.0)
    assert data.kinks == (0.25,)
    assert len(data.xs) == 11
    assert data.bad_kinks == [data.xs.index(0.25)]
    assert data.exit_code == 1


def test_smooth_kink_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plot", "relu(x)*sin(x)", "--range", "-3:3", "--points", "31"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == ""
    assert "agree at every point (smooth kinks at 0)" in captured.out


def test_undefined_points(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "log.png"
    code = main(["plot", "log(x)", "--range", "-1:3", "--points", "41", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    # torch.linspace(-1, 3, 41) has 5.55e-17, not 0, where 0 would be: 10 points
    assert "f undefined at 10 points (x=-1, x=-0.9, x=-0.8, ...)" in captured.out
    assert out.stat().st_size > 0


def test_terminal_plot(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plot", "x**2", "--range", "-2:2", "--points", "21"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == ""
    assert "\x1b[" not in captured.out  # no colours when stdout is not a terminal
    lines = captured.out.splitlines()
    assert "f(x) = x**2" in lines[0]
    assert any(line.startswith("key: ") for line in lines)
    assert lines[-1].startswith("d/dx of x**2 over x in [-2, 2]: 21 points;")
    assert len(lines) > 15


def test_other_variables_fixed_with_at(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "uv.png"
    code = main(
        ["plot", "u*v+sin(u)", "--wrt", "u", "--at", "v=2", "--range", "-pi:pi", "--out", str(out)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "d/du of u*v + sin(u) over u in [-3.141592653589793, 3.141592653589793], v=2" in (
        captured.out
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["x**2", "--range", "-3:3", "--out", "plot.pdf"],
            "--out plot.pdf: '.pdf' is not a plot format; use a .png or .svg file",
        ),
        (
            ["x**2", "--range", "-3:3", "--out", "plot"],
            "--out plot: no extension is not a plot format; use a .png or .svg file",
        ),
        (["x**2", "--range", "3:-3"], "--range 3:-3: START must be less than STOP"),
        (["x**2", "--range", "-3:3:5"], "--range -3:3:5: give START:STOP"),
        (["x**2", "--range", "a:3"], "--range a:3: 'a' is not a number"),
        (["x**2", "--range", "-3:3", "--points", "1"], "--points 1: at least 2 points"),
        (["x**2", "--range", "-3:3", "--points", "1000000"], "--points 1,000,000: the limit"),
        (["u*v", "--range", "-3:3"], "choose the plotted one with --wrt"),
        (["u*v", "--wrt", "u", "--range", "-3:3"], "fix v with --at (e.g. --at v=1)"),
        (["u*v", "--wrt", "u", "--at", "u=1,v=2", "--range", "-3:3"], "u is the plotted variable"),
        (["u*v", "--wrt", "u", "--at", "v=-1:1:3", "--range", "-3:3"], "not a grid"),
        (["x**2", "--wrt", "y", "--range", "-3:3"], "--wrt y: 'y' does not appear"),
        (["2+3", "--range", "-3:3"], "has no variables"),
        (["x**2", "--range", "-3:3", "--timeout", "0"], "--timeout 0: must be more than 0"),
        (["x", "--range", "-1e308:1e308"], "must lie within ±1e+100"),
        (["x", "--range", "0:1e101", "--out", "p.svg"], "must lie within ±1e+100"),
    ],
)
def test_bad_input_exits_2(
    args: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["plot", *args])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("derivcli: error: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("out", ["exp.png", "exp.svg", None])
def test_values_beyond_float64_are_left_out_and_exit_3(
    out: str | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # exp(x) passes float64's largest value at x=709.78: matplotlib's own
    # transforms broke on such values (an internal error) before they were left out.
    args = ["plot", "exp(x)", "--range", "0:1000", "--points", "101"]
    code = main(args + (["--out", str(tmp_path / out)] if out else []))
    captured = capsys.readouterr()
    assert code == 3
    assert captured.err.startswith("derivcli: error: values beyond float64's range at 30 points")
    assert captured.err.count("\n") == 1 and "internal error" not in captured.err
    summary = captured.out.splitlines()[-1]
    assert "beyond float64's range at 30 points (x=710, x=720, x=730, ...; not drawn)" in summary
    assert "undefined" not in summary
    if out:
        assert (tmp_path / out).stat().st_size > 1000


def test_values_too_large_to_draw_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plot", "exp(x)", "--range", "0:300", "--points", "301"])
    out = capsys.readouterr().out.splitlines()[-1]
    assert code == 0
    assert "agree at every point; values past ±1e+100 not drawn at 70 points (x=231," in out


def test_range_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plot", "x**2"])
    captured = capsys.readouterr()
    assert code == 2
    assert "--range" in captured.err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plot", "--help"])
    captured = capsys.readouterr()
    assert code == 0
    assert 'derivcli plot "relu(x)*sin(x)" --range -3:3 --out relu_sin.png' in captured.out


def test_a_disagreement_says_which_engine_to_believe(capsys: pytest.CaptureFixture[str]) -> None:
    # x - 0.1 at the float 0.1 is exactly 0 in float64 (torch: relu's kink,
    # gradient 0 by its convention) but 2**-57-ish beside it exactly (the float
    # 0.1 is not 1/10): the closed form heaviside(x - 1/10) is 1 there
    code = main(["plot", "relu(x-0.1)", "--range", "-1:1", "--points", "21"])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    lines = captured.out.splitlines()
    assert lines[-2].endswith("closed form and autograd DISAGREE at 1 point (x=0.1)")
    assert lines[-1].startswith(
        "note: at x=0.1: torch computes the argument of a kinked function (relu, abs, max, ...) "
        "as exactly 0 here"
    )
    code = main(["plot", "relu(x-0.1)", "--range", "-1:1", "--points", "21", "-f", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["disagree"] == [0.1]
    assert data["disagree_note"].startswith("at x=0.1: torch computes the argument")
    # plain output stays one line, for $(...)
    code = main(["plot", "relu(x-0.1)", "--range", "-1:1", "--points", "21", "-f", "plain"])
    assert code == 1 and len(capsys.readouterr().out.splitlines()) == 1


# ---------------------------------------------------------------- f's values are exact


def test_f_is_the_exact_value_not_torchs(cli: Cli) -> None:
    # exp(x)/exp(x - 1) is e everywhere; torch's float64 has inf/inf = nan past 709.8
    run = cli("plot", "exp(x)/exp(x - 1)", "--range", "700:800", "--points", "3", "-f", "json")
    doc = run.json()
    assert run.err == ""
    assert doc["f"] == [math.e, math.e, math.e]
    assert doc["undefined"] == []
    assert "undefined" not in doc["summary"]


def test_f_does_not_lose_digits_to_cancellation(cli: Cli) -> None:
    # (1 - cos(x))/x**2 = 1/2 - x**2/24 + ...: within 2e-17 of 1/2 at x <= 2e-8,
    # which float64 rounds to 0.5 (torch's 1 - cos(x) keeps no digit: 0, 0.49, 0.56)
    run = cli("plot", "(1 - cos(x))/x**2", "--range", "1e-8:2e-8", "--points", "3", "-f", "json")
    assert run.err == ""
    assert run.json()["f"] == [0.5, 0.5, 0.5]


def test_f_is_defined_at_the_float_nearest_a_pole(cli: Cli) -> None:
    # The float nearest 1/3 is 6004799503160661/2**54, 1/(3*2**54) below it, where
    # log(abs(x - 1/3)) is -(log(3) + 54*log(2)); torch rounds x - 1/3 to 0 there
    run = cli("plot", "log(abs(x - 1/3))", "--range", "-1:1.9", "--points", "10", "-f", "json")
    doc = run.json()
    assert (run.code, run.err) == (1, "")
    with mpmath.workprec(100):
        expected = float(-(mpmath.log(3) + 54 * mpmath.log(2)))
    assert doc["f"][doc["x"].index(1 / 3)] == expected
    assert doc["undefined"] == []
    assert "f undefined" not in doc["summary"]
    # at 1/3 itself f has no value, and no derivative: the slopes run to -inf and inf
    (kink,) = doc["kinks"]
    assert (kink["x"], kink["differentiable"]) == (1 / 3, False)
    assert (kink["left"], kink["right"]) == ("-inf", "inf")
