"""derivcli's speed targets, measured as ratios in one run (issues 5, 3 and 11).

Run by hand, from the repository root, with derivcli installed:

    .venv/bin/python benchmarks/bench.py            # full run, a few minutes
    .venv/bin/python benchmarks/bench.py --quick    # fewer repetitions
    .venv/bin/python benchmarks/bench.py --only issue3   # heavy and hostile input
    .venv/bin/python benchmarks/bench.py --only issue11  # cold call, batch, order 12
    .venv/bin/python benchmarks/bench.py --only imports  # where start-up goes

It prints a Markdown table (paste it into README.md, "Performance") with the
machine it ran on. Every target is a ratio between two things measured here,
in the same run, so the verdicts do not depend on how fast the machine is.
Nothing in the test suite is timed; this script is where the targets live.

Targets:
  1. --help, --version and each subcommand's --help import neither torch nor
     sympy and take at most 2x `python -c "import typer"`.
  2. The grid: the derivative over 10^7 points through derivcli's autograd
     path takes at most 1.2x the faster of the closed form as numpy code and a
     hand-written torch forward+backward.
  3. Peers, when installed (Debian packages qalc and maxima): their time per
     call for the same derivative, beside derivcli's.

Issue 11 (scripts at full speed), each a ratio of commands run in turn in
the same run (median of several rounds, so a change in the machine's load
hits all of them alike):
  4. One cold `derivcli grad` takes at most 1.10x `python -c "import torch"`
     (also shown: against a torch import that skips the interpreter's
     teardown, the strict floor, for scale).
  5. `derivcli batch` of 1,000 lines with 1,000 different expressions takes
     at most 1.5x one cold call, and at most 1 ms a line beyond it.
  6. The same 1,000 lines are at least 5x faster than the loop a user would
     write instead (benchmarks/user_loop.py: sympy sympify + diff + evalf,
     lambdify(..., "torch") + backward(), one process).
  7. 1,000 lines of one repeated expression (cached) take at most 1.3x one
     cold call.
  8. exp(sin(x)) at order 12: derivcli's time beyond its start-up is at most
     1.15x that of bare torch doing the same nested autograd
     (benchmarks/torch_order12.py) beyond `python -c "import torch"`.
  `--only imports` prints where a cold call's start-up goes
  (`python -X importtime`), grouped; benchmarks/README.md has the last one.

Issue 3 (hostile input and expression swell), measured against start-up,
i.e. a trivial `derivcli grad "x**2" --at x=3` in the same run:
  9. Heavy but legitimate input (the tanh(sin(.)+x) chain 50 deep, the 5th
     derivative of 20 linear factors) gives the full answer in under 1 s
     beyond start-up (exp(sin(x)) to order 12 is row 8).
  10. Hostile input ends (exit 2 or 3, one line on stderr) within 2 s beyond
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


def in_turn(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each command (a whole process), the commands run in
    turn, round after round (the first round a warm-up), so that a change in
    the machine's load hits all of them alike. A command is its argv, or
    (argv, stdin file) as a list whose last item is '<FILE'."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, cmd in commands.items():
            stdin = cmd[-1][1:] if cmd and cmd[-1].startswith("<") else None
            argv = cmd[:-1] if stdin else cmd
            with open(stdin or os.devnull, "rb") as source:
                start = time.perf_counter()
                subprocess.run(argv, stdin=source, capture_output=True, env=ENV, check=False)
                if round_:
                    times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


BENCHMARKS = Path(__file__).resolve().parent

# Five shapes of one-variable expression (functions sympy and torch both know),
# with coefficients that make every line's expression different.
SHAPES = [
    "tanh({a}*x+{b})*x**{n} + log(x**2+{c})",
    "sin({a}*x)*exp(-x**2/{c}) + x**{n}",
    "atan({a}*x-{b})*cos(x)**{n}",
    "sqrt(x**2+{c})*atan({a}*x) - {b}*x**{n}",
    "exp({a}*x)/(1+x**2) + sinh(x/{c})**{n}",
]


def distinct_lines(count: int) -> str:
    """``count`` grad lines, every expression different, at various points."""
    lines = []
    for i in range(count):
        k = i // len(SHAPES)
        text = SHAPES[i % len(SHAPES)].format(a=k % 13 + 1, b=k % 7 + 1, c=k % 11 + 1, n=k % 5 + 2)
        lines.append(f'grad "{text}" --at x={(i % 9 + 1) / 4}')
    assert len({line.split('"')[1] for line in lines}) == count
    return "\n".join(lines) + "\n"


def repeated_lines(count: int) -> str:
    return 'grad "tanh(3*x+1)*x**5 + log(x**2+1)" --at x=0.5\n' * count


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def rows_issue11(repeat: int, workdir: Path) -> list[tuple[str, str, str, str]]:
    distinct = workdir / "distinct.txt"
    distinct.write_text(distinct_lines(1000))
    repeated = workdir / "repeated.txt"
    repeated.write_text(repeated_lines(1000))
    cold = DERIVCLI + ["grad", "x**2+2*x+1", "--at", "x=2"]
    t = in_turn(
        {
            "torch": [PYTHON, "-c", "import torch"],
            "floor": [PYTHON, "-c", "import torch, os; os._exit(0)"],
            "cold": cold,
            "distinct": DERIVCLI + ["batch", str(distinct)],
            "repeated": DERIVCLI + ["batch", str(repeated)],
            "user": [PYTHON, str(BENCHMARKS / "user_loop.py"), str(distinct)],
            "order12": DERIVCLI + ["grad", "exp(sin(x))", "--order", "12", "--at", "x=0.7"],
            "bare12": [PYTHON, str(BENCHMARKS / "torch_order12.py")],
        },
        repeat,
    )
    per_line = (t["distinct"] - t["cold"]) / 1000 * 1000
    beyond, bare = t["order12"] - t["cold"], t["bare12"] - t["torch"]
    return [
        ('`python -c "import torch"` (reference)', f"{t['torch']:.3f} s", "", ""),
        (
            '`python -c "import torch, os; os._exit(0)"` (the strict floor, for scale)',
            f"{t['floor']:.3f} s",
            "",
            "",
        ),
        (
            'cold `derivcli grad "x**2+2*x+1" --at x=2`',
            f"{t['cold']:.3f} s",
            f"{t['cold'] / t['torch']:.2f}x import torch ({t['cold'] / t['floor']:.2f}x the floor)",
            met(t["cold"] / t["torch"] <= 1.10),
        ),
        (
            "`derivcli batch`, 1,000 lines, 1,000 different expressions",
            f"{t['distinct']:.3f} s",
            f"{t['distinct'] / t['cold']:.2f}x one cold call (~{per_line:.2f} ms a line)",
            met(t["distinct"] / t["cold"] <= 1.5 and per_line <= 1.0),
        ),
        (
            "the same 1,000 lines, the user's loop (benchmarks/user_loop.py)",
            f"{t['user']:.3f} s",
            f"derivcli batch {t['user'] / t['distinct']:.2f}x faster",
            met(t["user"] / t["distinct"] >= 5),
        ),
        (
            "`derivcli batch`, 1,000 lines of one expression (cached)",
            f"{t['repeated']:.3f} s",
            f"{t['repeated'] / t['cold']:.2f}x one cold call",
            met(t["repeated"] / t["cold"] <= 1.3),
        ),
        (
            "bare torch, exp(sin(x)) to order 12 (benchmarks/torch_order12.py)",
            f"{t['bare12']:.3f} s",
            f"{bare:+.3f} s beyond import torch",
            "",
        ),
        (
            'derivcli grad "exp(sin(x))" --order 12 --at x=0.7',
            f"{t['order12']:.3f} s",
            f"{beyond:+.3f} s beyond a cold call: {beyond / bare:.2f}x bare torch's",
            met(beyond / bare <= 1.15),
        ),
    ]


# How ``import_profile`` groups the top-level imports of a cold call.
IMPORT_GROUPS = {
    "torch": "torch (the floor)",
    "numpy": "numpy (torch imports it too: the floor)",
    "derivcli.commands": "derivcli.commands (typer, click, rich)",
    "derivcli": "derivcli's own modules",
}


def import_profile() -> str:
    """Where a cold call's start-up goes: ``python -X importtime``'s top-level imports
    of the main process, grouped (the worker imports symengine in parallel, with
    its stderr closed, so its imports are not listed)."""
    run = subprocess.run(
        [PYTHON, "-X", "importtime", *DERIVCLI[1:], "grad", "x**2+2*x+1", "--at", "x=2"],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    groups: dict[str, float] = {}
    for line in run.stderr.splitlines():
        # "import time: self [us] | cumulative | name", nesting shown by indentation
        fields = line.split("|")
        if not line.startswith("import time:") or not fields[1].strip().isdigit():
            continue
        name = fields[2][1:]
        if name.startswith(" "):
            continue  # imported by another module: counted in its parent's cumulative
        group = next(
            (label for prefix, label in IMPORT_GROUPS.items() if name.startswith(prefix)),
            "Python's own start-up and the rest",
        )
        groups[group] = groups.get(group, 0.0) + int(fields[1]) / 1000
    rows = [f"| {g} | {ms:.0f} ms |" for g, ms in sorted(groups.items(), key=lambda kv: -kv[1])]
    return "\n".join(["| imported by the main process | cumulative |", "| --- | --- |", *rows])


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
    parser.add_argument(
        "--only", choices=["speed", "issue3", "issue11", "imports"], help="run one part"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other work on the machine when the run began
    repeat = 3 if args.quick else 7
    if args.only == "imports":
        print(import_profile())
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        if args.only in (None, "issue11"):
            rows += rows_issue11(3 if args.quick else 5, Path(workdir))
    if args.only in (None, "speed"):
        rows += rows_startup(repeat)
    if args.only in (None, "issue3"):
        # Before the grid rows: a child's peak memory includes what this
        # process held when it forked, and the grid rows load torch here.
        rows += rows_issue3(repeat)
    if args.only in (None, "speed"):
        rows += rows_grid(args.points, 3 if args.quick else 5)
        rows += rows_peers(repeat)
    when = time.strftime("%Y-%m-%d")
    print(f"Machine: {machine()}; {when}; load average when the run began: {load:.1f}\n")
    print("| measured | wall time | ratio | target |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    missed = sum(1 for row in rows if row[3] == "MISSED")
    print(f"\n{missed} target(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
