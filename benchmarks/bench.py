"""derivcli's speed targets, measured as ratios in one run (issue 5).

Run by hand, from the repository root, with derivcli installed:

    .venv/bin/python benchmarks/bench.py            # full run, a few minutes
    .venv/bin/python benchmarks/bench.py --quick    # fewer repetitions
    .venv/bin/python benchmarks/bench.py --only issue3   # heavy and hostile input

It prints a Markdown table (paste it into README.md, "Performance") with the
machine it ran on. Every target is a ratio between two things measured here,
in the same run, so the verdicts do not depend on how fast the machine is.
Nothing in the test suite is timed; this script is where the targets live.

Targets:
  1. --help, --version and each subcommand's --help import neither torch nor
     sympy and take at most 2x `python -c "import typer"`.
  2. One `derivcli grad` costs at most 1.1x importing the engines it loads
     (torch in the main process, symengine and sympy in the symbolic worker).
  3. `derivcli batch` with 1,000 typical lines takes at most 2x one cold call.
  4. The derivative over 10^7 points through derivcli's autograd path takes
     at most 1.2x the faster of the closed form as numpy code and a
     hand-written torch forward+backward.
  5. Peers, when installed (Debian packages qalc and maxima): their time per
     call for the same derivative, beside derivcli's.

Issue 3 (hostile input and expression swell), measured against start-up,
i.e. a trivial `derivcli grad "x**2" --at x=3` in the same run:
  6. Heavy but legitimate input (the tanh(sin(.)+x) chain 50 deep, the 5th
     derivative of 20 linear factors, exp(sin(x)) to order 12) gives the full
     answer in under 1 s beyond start-up.
  7. Hostile input ends (exit 2 or 3, one line on stderr) within 2 s beyond
     start-up and well under 1 GiB, child processes included.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PYTHON = sys.executable
DERIVCLI = [PYTHON, "-m", "derivcli"]
ENV = {**os.environ, "NO_COLOR": "1"}


def wall(cmd: Sequence[str], repeat: int, stdin: str | None = None) -> float:
    """Median wall time of a whole process, after one warm-up run."""
    times = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=ENV, check=False)
        if i:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def wall_rss(cmd: Sequence[str], repeat: int) -> tuple[float, float, int]:
    """Median wall time, peak memory (MiB, the process and its children) and exit code."""
    times, peaks, code = [], [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        # ru_maxrss of a waited-for process covers its own waited-for children.
        peaks.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
    return statistics.median(times), max(peaks), code


def best(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"torch {torch.__version__}, {platform.system()} {platform.release()}"
    )


def rows_startup(repeat: int) -> list[tuple[str, str, str, str]]:

    from derivcli.commands.app import command_tree

    names = sorted(c.name for c in command_tree().commands.values())
    typer_import = wall([PYTHON, "-c", "import typer"], repeat)
    rows = [("`python -c 'import typer'` (reference)", f"{typer_import:.3f} s", "", "")]
    for label, args in [("derivcli --help", ["--help"]), ("derivcli --version", ["--version"])] + [
        (f"derivcli {n} --help", [n, "--help"]) for n in names
    ]:
        t = wall(DERIVCLI + args, repeat)
        ratio = t / typer_import
        rows.append((label, f"{t:.3f} s", f"{ratio:.2f}x typer", "met" if ratio <= 2 else "MISSED"))
    return rows


def rows_single(repeat: int) -> list[tuple[str, str, str, str]]:
    engines = wall([PYTHON, "-c", "import torch, symengine, sympy"], repeat)
    grad = wall(DERIVCLI + ["grad", "x**2+2*x+1", "--at", "x=2"], repeat)
    ratio = grad / engines
    return [
        ("`python -c 'import torch, symengine, sympy'` (reference)", f"{engines:.3f} s", "", ""),
        (
            'derivcli grad "x**2+2*x+1" --at x=2',
            f"{grad:.3f} s",
            f"{ratio:.2f}x engines",
            "met" if ratio <= 1.1 else "MISSED",
        ),
    ]


def batch_lines(count: int) -> str:
    exprs = [
        "x**2+2*x+1",
        "sin(x)*exp(x)",
        "relu(x)*x",
        "sigmoid(x)",
        "log(x)+sqrt(x)",
        "tanh(x)**2",
        "x**3-2*x",
        "2*x**3+x",
    ]
    lines = []
    for i in range(count):
        e = exprs[i % len(exprs)]
        lines.append(f'grad "{e}" --at x={(i % 9 + 1) / 4}')
        if i % 10 == 9:
            lines[-1] = f'partial "u*v+u**2" --wrt u --at u={(i % 7 + 1) / 4},v=2'
    return "\n".join(lines) + "\n"


def rows_batch(repeat: int) -> list[tuple[str, str, str, str]]:
    single = wall(DERIVCLI + ["grad", "sin(x)", "--at", "x=1"], repeat)
    text = batch_lines(1000)
    batch = wall(DERIVCLI + ["batch", "-"], max(1, repeat // 2), stdin=text)
    ratio = batch / single
    per_line = (batch - single) / 1000 * 1000
    return [
        ('one cold call: derivcli grad "sin(x)" --at x=1', f"{single:.3f} s", "", ""),
        (
            "derivcli batch, 1,000 lines",
            f"{batch:.3f} s",
            f"{ratio:.2f}x one call (~{per_line:.1f} ms a line)",
            "met" if ratio <= 2 else "MISSED",
        ),
    ]


def rows_grid(points: int, repeat: int) -> list[tuple[str, str, str, str]]:
    import numpy as np
    import torch

    from derivcli.autograd import values as numeric
    from derivcli.language.parser import parse

    text = "sin(x)*exp(-x**2/2) + x**3"
    xs = np.linspace(-5.0, 5.0, points)

    def through_derivcli() -> object:
        return numeric.autograd(parse(text).tree, ("x",), {"x": xs}, points, [("x",)])

    def closed_form_numpy() -> object:
        # d/dx of the same expression, written out as numpy code
        return (
            np.cos(xs) * np.exp(-(xs**2) / 2) - xs * np.sin(xs) * np.exp(-(xs**2) / 2) + 3 * xs**2
        )

    def hand_torch() -> object:
        x = torch.from_numpy(xs).requires_grad_(True)
        y = torch.sin(x) * torch.exp(-(x**2) / 2) + x**3
        y.sum().backward()  # type: ignore[no-untyped-call]
        return x.grad

    a = best(through_derivcli, repeat)
    b = best(closed_form_numpy, repeat)
    c = best(hand_torch, repeat)
    reference = min(b, c)
    ratio = a / reference
    return [
        (f"closed form as numpy code, {points:,} points", f"{b:.3f} s", "", ""),
        (f"hand-written torch forward+backward, {points:,} points", f"{c:.3f} s", "", ""),
        (
            f"derivcli autograd path, {points:,} points",
            f"{a:.3f} s",
            f"{ratio:.2f}x the faster",
            "met" if ratio <= 1.2 else "MISSED",
        ),
    ]


def _chain(depth: int) -> str:
    text = "x"
    for _ in range(depth):
        text = f"tanh(sin({text})+x)"
    return text


def hostile_inputs() -> list[tuple[str, list[str]]]:
    sine_sum = "+".join(f"sin({k}*x)" for k in range(1, 800))
    sine_product = "*".join(f"sin({k}*x)" for k in range(1, 800))
    return [
        ("100 KB expression", ["grad", "+".join(["x"] * 50_000), "--at", "x=1"]),
        ("10,000-deep parentheses", ["grad", "(" * 10_000 + "x" + ")" * 10_000, "--at", "x=1"]),
        ("9**9**9**9 * x", ["grad", "9**9**9**9*x", "--at", "x=1"]),
        ("((9**9)**9999)**9999 * x", ["grad", "((9**9)**9999)**9999*x", "--at", "x=1"]),
        ("x**(9**9**9)", ["grad", "x**(9**9**9)", "--at", "x=1"]),
        ("x**(10**10) at 2", ["grad", "x**(10**10)", "--at", "x=2"]),
        ("1,200-digit integer", ["grad", "1" * 1_200 + "*x", "--at", "x=1"]),
        ("Cyrillic x", ["grad", "\u0445**2", "--at", "x=1"]),
        ("exp(sin(x)), order 50", ["grad", "exp(sin(x))", "--order", "50", "--at", "x=0.7"]),
        (
            "800-term sum, 100,000-point grid",
            ["grad", sine_sum, "--at", "x=-1:1:100000", "--format", "json"],
        ),
        (
            "800-factor product, 25,000-point grid",
            ["grad", sine_product, "--at", "x=0.1:1:25000", "--format", "json"],
        ),
    ]


def rows_issue3(repeat: int) -> list[tuple[str, str, str, str]]:
    startup = wall(DERIVCLI + ["grad", "x**2", "--at", "x=3"], repeat)
    rows = [('start-up: derivcli grad "x**2" --at x=3', f"{startup:.3f} s", "", "")]
    heavy = [
        ("tanh(sin(.)+x) chain, 50 deep", ["grad", _chain(50), "--at", "x=0.3"]),
        (
            "product of 20 linear factors, 5th derivative",
            ["grad", "*".join(f"(x+{k})" for k in range(1, 21)), "--order", "5", "--at", "x=0.5"],
        ),
        ("exp(sin(x)), order 12", ["grad", "exp(sin(x))", "--order", "12", "--at", "x=0.7"]),
    ]
    for label, args in heavy:
        t, peak, code = wall_rss(DERIVCLI + args, repeat)
        beyond = t - startup
        ok = code == 0 and beyond < 1.0
        rows.append(
            (
                f"heavy: {label} (exit {code})",
                f"{t:.3f} s, {peak:.0f} MiB",
                f"{beyond:+.2f} s beyond start-up",
                "met" if ok else "MISSED",
            )
        )
    for label, args in hostile_inputs():
        t, peak, code = wall_rss(DERIVCLI + args, repeat)
        beyond = t - startup
        ok = code in (2, 3) and beyond < 2.0 and peak < 1024
        rows.append(
            (
                f"hostile: {label} (exit {code})",
                f"{t:.3f} s, {peak:.0f} MiB",
                f"{beyond:+.2f} s beyond start-up",
                "met" if ok else "MISSED",
            )
        )
    return rows


def rows_peers(repeat: int) -> list[tuple[str, str, str, str]]:
    rows = []
    qalc = shutil.which("qalc")
    maxima = shutil.which("maxima")
    if qalc:
        t = wall([qalc, "-t", "diff(x^2+2x+1, x, 1, 2)"], repeat)
        rows.append(("peer: qalc -t 'diff(x^2+2x+1, x, 1, 2)'", f"{t:.3f} s", "", "for scale"))
    if maxima:
        t = wall([maxima, "--very-quiet", "--batch-string=at(diff(x^2+2*x+1,x),x=2);"], repeat)
        rows.append(
            (
                "peer: maxima --batch-string 'at(diff(x^2+2*x+1,x),x=2)'",
                f"{t:.3f} s",
                "",
                "for scale",
            )
        )
    if not rows:
        rows.append(("peers (qalc, maxima)", "not installed", "apt-get install qalc maxima", ""))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--points", type=int, default=10_000_000, help="grid size")
    parser.add_argument("--only", choices=["speed", "issue3"], help="run one part")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    rows = []
    if args.only != "issue3":
        for section in (rows_startup, rows_single, rows_batch):
            rows += section(repeat)
    if args.only != "speed":
        # Before the grid rows: a child's peak memory includes what this
        # process held when it forked, and the grid rows load torch here.
        rows += rows_issue3(repeat)
    if args.only != "issue3":
        rows += rows_grid(args.points, 3 if args.quick else 5)
        rows += rows_peers(repeat)
    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}\n")
    print("| measured | wall time | ratio | target |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    missed = sum(1 for row in rows if row[3] == "MISSED")
    print(f"\n{missed} target(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as _:
        sys.exit(main())
