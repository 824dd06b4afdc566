"""derivcli: differentiate an expression symbolically and with PyTorch autograd.

The pipeline, one folder or module per stage: ``language`` (text -> tree, no
eval; the one function table) -> ``symbolic`` (closed form with symengine,
kinks and domains, in a budgeted worker) -> ``autograd`` (torch) ->
``compare`` (both sides, one verdict) -> ``render`` (table, JSON, plain).
``api`` is the library; ``commands`` the thin Typer layer on top of it.
Importing this package is cheap: nothing heavy is loaded until a command
needs it.
"""

__version__ = "0.1.0"
