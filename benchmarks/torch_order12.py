"""exp(sin(x))'s 12th derivative at 0.7 in bare torch: the floor of the order-12 case.

Nested autograd as a PyTorch user writes it (``torch.autograd.grad`` with
``create_graph=True``, twelve times), which is what derivcli's autograd side
does for ``derivcli grad "exp(sin(x))" --order 12 --at x=0.7``. The graph
grows about 3x per order (78,506 nodes at order 11); ``benchmarks/bench.py``
compares derivcli's time beyond its start-up with this script's time beyond
``python -c "import torch"``.
"""

from __future__ import annotations

import torch

ORDER = 12

x = torch.tensor([0.7], dtype=torch.float64, requires_grad=True)
derivative = torch.exp(torch.sin(x))
for step in range(ORDER):
    (derivative,) = torch.autograd.grad(
        derivative.sum(), x, create_graph=step < ORDER - 1, retain_graph=True
    )
print(float(derivative[0]))
