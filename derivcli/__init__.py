"""derivcli: differentiate an expression symbolically and with PyTorch autograd.

The pipeline, one module per stage: ``parser`` (text -> tree, no eval) ->
``symbolic`` / ``analysis`` (closed form, symengine, in a budgeted worker) ->
``numeric`` (torch autograd) -> ``engine`` (compare) -> ``render`` (table, JSON,
plain). ``cli`` is the thin Typer layer on top. Importing this package is
cheap: nothing heavy is loaded until a command needs it.
"""

__version__ = "0.1.0"
