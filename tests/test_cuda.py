"""--device cuda for real: each command on the GPU against the same command on the CPU,
and against values worked out by hand in the test.

Every test here needs a CUDA device visible to torch; without one the ``gpu`` marker
skips them (conftest.py). The CPU build these machines and CI use has no CUDA, so
they run only where a GPU is lent; ``test_cli.py`` checks the clear error (exit 3)
everywhere else.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest
from conftest import Cli

import derivcli

pytestmark = pytest.mark.gpu

# Commands whose JSON must be the same on both devices, numbers aside: a float64
# kernel on the GPU may round a transcendental function differently in its last bit.
SAME_ON_BOTH: list[list[str]] = [
    ["grad", "sin(x)*exp(x) + relu(x)", "--at", "x=0.3"],
    ["grad", "relu(x)", "--at", "x=0"],  # torch's relu'(0) = 0 on both; the kink is named
    ["grad", "abs(x)", "--at", "x=0"],
    ["grad", "log(x)", "--at", "x=-1"],  # outside the domain: nan on both
    ["grad", "1/x", "--at", "x=0"],
    ["grad", "log(1+exp(x))", "--at", "x=1000"],  # only f overflows
    ["grad", "x**3", "-n", "2", "--at", "x=-2:2:101"],
    ["grad", "exp(sin(x))", "-n", "4", "--at", "x=0.5"],
    ["partial", "u*v+u**2", "--wrt", "u", "--wrt", "v", "--at", "u=1,v=2"],
    ["grad", "x*min(x, y)", "--at", "x=2,y=1"],
    ["grad", "x*y", "--at", "x=0:1:3,y=-1:1:3", "--mesh"],
    ["hessian", "x*y**2 + sin(x*y)", "--at", "x=1,y=2"],
    ["jacobian", "r*cos(t)", "r*sin(t)", "--wrt", "r", "--wrt", "t", "--at", "r=2,t=0.5"],
]

FLOAT32: list[list[str]] = [
    ["grad", "tanh(3*x+1)*x**5 + log(x**2+1)", "--at", "x=0.7", "--dtype", "float32"],
    ["grad", "sigmoid(x)*x", "--at", "x=-4:4:33", "--dtype", "float32"],
]


def _same(cpu: Any, gpu: Any, rel: float, floor: float = 1e-14, where: str = "") -> None:
    """The two JSON documents match key for key: floats to ``rel``, or within
    ``floor`` (float32's |diff| is its own rounding, which differs by device),
    and the rest exactly."""
    if isinstance(cpu, dict):
        assert isinstance(gpu, dict) and cpu.keys() == gpu.keys(), where
        for key in cpu:
            if key == "device":
                assert (cpu[key], gpu[key]) == ("cpu", "cuda"), where
            elif key == "repr":  # a tensor's repr names its device on the GPU
                assert "device='cuda:0'" in gpu[key], where
            elif key == "code":  # graph's script: the leaves are made on the GPU
                on_cpu = [
                    line.replace(", device='cuda'", "").replace(" device='cuda:0',", "")
                    for line in gpu[key]
                ]
                assert on_cpu == cpu[key], where
            else:
                _same(cpu[key], gpu[key], rel, floor, f"{where}.{key}")
    elif isinstance(cpu, list):
        assert isinstance(gpu, list) and len(cpu) == len(gpu), where
        for i, (a, b) in enumerate(zip(cpu, gpu, strict=True)):
            _same(a, b, rel, floor, f"{where}[{i}]")
    elif isinstance(cpu, float) and not isinstance(gpu, bool):
        assert isinstance(gpu, (int, float)), where
        assert math.isclose(cpu, gpu, rel_tol=rel, abs_tol=floor) or (
            math.isnan(cpu) and math.isnan(gpu)
        ), f"{where}: cpu {cpu!r}, cuda {gpu!r}"
    else:
        assert cpu == gpu, f"{where}: cpu {cpu!r}, cuda {gpu!r}"


def _both(cli: Cli, args: list[str]) -> tuple[Any, Any]:
    cpu = cli(*args, "--device", "cpu", "-f", "json")
    gpu = cli(*args, "--device", "cuda", "-f", "json")
    assert gpu.code == cpu.code, (gpu.err, cpu.err)
    assert gpu.err == cpu.err
    return cpu.json(), gpu.json()


@pytest.mark.parametrize("args", SAME_ON_BOTH, ids=lambda args: " ".join(args[:2]))
def test_float64_on_the_gpu_is_the_cpu_answer(cli: Cli, args: list[str]) -> None:
    cpu, gpu = _both(cli, args)
    _same(cpu, gpu, rel=1e-12)


@pytest.mark.parametrize("args", FLOAT32, ids=lambda args: " ".join(args[:2]))
def test_float32_on_the_gpu_is_the_cpu_answer(cli: Cli, args: list[str]) -> None:
    cpu, gpu = _both(cli, args)
    _same(cpu, gpu, rel=1e-5, floor=1e-6)


def test_values_on_the_gpu_match_hand_derivation(cli: Cli) -> None:
    # d/dx [sin(x)*exp(x) + relu(x)] = exp(x)*(sin(x) + cos(x)) + 1 for x > 0
    run = cli("grad", "sin(x)*exp(x) + relu(x)", "--at", "x=0.3", "--device", "cuda", "-f", "json")
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["device"] == "cuda"
    (result,) = doc["results"]
    expected = math.exp(0.3) * (math.sin(0.3) + math.cos(0.3)) + 1
    assert result["autograd"] == pytest.approx(expected, rel=1e-14)
    assert result["verdict"] == "agree"

    # d2/dx2 x**3 = 6x at every point of the grid, exactly in float64
    run = cli("grad", "x**3", "-n", "2", "--at", "x=-2:2:1001", "--device", "cuda", "-f", "plain")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert len(lines) == 1001
    for i, line in enumerate(lines):
        x = -2 + 4 * i / 1000
        assert float(line.split()[-1]) == pytest.approx(6 * x, abs=1e-12)

    # d/du (u*v + u**2) at (1, 2) is v + 2u = 4; the mixed partial is 1 everywhere
    for wrt, expected_partial in ((["--wrt", "u"], 4.0), (["--wrt", "u", "--wrt", "v"], 1.0)):
        run = cli("partial", "u*v+u**2", *wrt, "--at", "u=1,v=2", "--device", "cuda", "-f", "plain")
        assert run.code == 0, run.err
        assert float(run.out) == expected_partial


def test_relu_at_zero_on_the_gpu_follows_torch_convention(cli: Cli) -> None:
    run = cli("grad", "relu(x)", "--at", "x=0", "--device", "cuda", "-f", "json")
    assert run.code == 1  # not differentiable at 0
    (result,) = run.json()["results"]
    assert result["autograd"] == 0.0  # torch's subgradient at the kink
    assert result["left"] == 0.0 and result["right"] == 1.0
    assert result["verdict"] == "not differentiable"


def test_graph_on_the_gpu(cli: Cli) -> None:
    cpu, gpu = _both(cli, ["graph", "x**2*sin(x)", "--at", "x=2"])
    _same(cpu, gpu, rel=1e-12)
    # the reproducible script puts the leaf on the GPU
    assert any("device='cuda'" in line for line in gpu["code"]), gpu["code"]
    # d/dx x**2 sin(x) = 2x sin(x) + x**2 cos(x)
    leaf = gpu["graph"]["inputs"][0]["inputs"][0]["tensor"]
    assert leaf["is_leaf"] is True and leaf["requires_grad"] is True
    assert leaf["grad"] == pytest.approx(4 * math.sin(2) + 4 * math.cos(2), rel=1e-14)


def test_batch_lines_on_the_gpu(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from derivcli.commands.main import main

    lines = [
        'grad "x**2+2*x+1" --at x=2',
        'grad "relu(x)" --at x=0',
        'partial "u*v+u**2" --wrt u --at u=1,v=2',
        'grad "log(x)" --at x=-1',
    ]

    def batch(device: str) -> tuple[int, list[Any]]:
        text = "".join(f"{line} --device {device}\n" for line in lines)
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        code = main(["batch"])
        out = capsys.readouterr().out
        return code, [json.loads(line) for line in out.splitlines()]

    cpu_code, cpu = batch("cpu")
    gpu_code, gpu = batch("cuda")
    assert gpu_code == cpu_code
    assert len(gpu) == len(lines)
    for a, b in zip(cpu, gpu, strict=True):
        a.pop("line"), b.pop("line")
        _same(a, b, rel=1e-12)
    assert gpu[0]["results"][0]["autograd"] == 6.0  # 2x + 2 at 2


def test_library_on_the_gpu() -> None:
    cpu = derivcli.grad("tanh(x)*x", at="x=-1:1:5", device="cpu").to_dict()
    gpu = derivcli.grad("tanh(x)*x", at="x=-1:1:5", device="cuda").to_dict()
    _same(cpu, gpu, rel=1e-12)
    # d/dx x tanh(x) = tanh(x) + x (1 - tanh(x)**2)
    for result in gpu["results"]:
        x = result["point"]["x"]
        expected = math.tanh(x) + x * (1 - math.tanh(x) ** 2)
        assert result["autograd"] == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_a_long_grid_on_the_gpu(cli: Cli) -> None:
    args = ["grad", "sin(x)*x**2", "--at", "x=-10:10:20001", "-f", "plain"]
    cpu = cli(*args, "--device", "cpu")
    gpu = cli(*args, "--device", "cuda")
    assert gpu.code == cpu.code == 0, gpu.err
    cpu_lines, gpu_lines = cpu.out.splitlines(), gpu.out.splitlines()
    assert len(gpu_lines) == 20001
    for a, b in zip(cpu_lines, gpu_lines, strict=True):
        a_value, b_value = float(a.split()[-1]), float(b.split()[-1])
        assert math.isclose(a_value, b_value, rel_tol=1e-12, abs_tol=1e-12), (a, b)


def test_check_function_after_backward_ran_on_the_gpu(cli: Cli) -> None:
    """Once this process has run backward() with a GPU present, torch refuses
    backward() in a forked child; the user's Function must still be checked."""
    import torch

    x = torch.tensor(1.5, device="cuda", requires_grad=True)
    (x * x).backward()  # type: ignore[no-untyped-call]
    assert x.grad is not None and float(x.grad) == 3.0
    fixtures = f"{__file__.rsplit('/', 1)[0]}/fixtures"
    run = cli("check-function", f"{fixtures}/square_ok.py:MySquare", "--expr", "x**2")
    assert run.code == 0, run.out + run.err
    run = cli("check-function", f"{fixtures}/square_wrong.py:WrongEntirely", "--expr", "x**2")
    assert run.code == 1 and "backward is wrong" in run.out


def test_library_check_function_after_backward_ran_on_the_gpu() -> None:
    """An ML engineer's process has used the GPU before it asks derivcli."""
    import torch

    x = torch.tensor(2.0, device="cuda", requires_grad=True)
    torch.sin(x).backward()  # type: ignore[no-untyped-call]
    fixtures = f"{__file__.rsplit('/', 1)[0]}/fixtures"
    report = derivcli.check_function(f"{fixtures}/relu_ok.py:MyReLU", expr="relu(x)", at="x=-2:2:5")
    assert report.passed
    assert report.to_dict()["notes"] == ["skipped x=0: kink of relu"]
