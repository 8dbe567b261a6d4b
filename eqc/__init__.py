"""eqc: an equation compiler. One model file to classical and learned solvers.

Public API (imported lazily, so ``import eqc`` stays light)::

    m = eqc.load("stdlib:gray_scott")        # or a path, or eqc.parse(text)
    sim = eqc.compile(m)                     # classical solver (numba by default)
    ds = sim.run()                           # an xarray Dataset

    m = eqc.Model("heat")                    # the embedded Python DSL
    x = m.axis("x", 0, 1); u = m.field("u"); D = m.param("D", 0.1)
    m.equation(eqc.dt(u) == D * eqc.lap(u))
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    # frontend
    "load": "eqc.frontend.loader:load",
    "parse": "eqc.frontend.loader:parse",
    "Model": "eqc.frontend.dsl:Model",
    "dt": "eqc.frontend.dsl:dt",
    "d": "eqc.frontend.dsl:d",
    "lap": "eqc.frontend.dsl:lap",
    "grad": "eqc.frontend.dsl:grad",
    "div": "eqc.frontend.dsl:div",
    # errors
    "ModelError": "eqc.compiler.diagnostics:ModelError",
    # classical path
    "compile": "eqc.simulation:compile",
    "Simulation": "eqc.simulation:Simulation",
    # learned path
    "load_pinn": "eqc.pinn:load_pinn",
    "load_operator": "eqc.operator:load_operator",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        target = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'eqc' has no attribute {name!r}") from None
    module, attr = target.split(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
