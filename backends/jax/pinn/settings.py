"""Settings of a PINN training run, one frozen dataclass (STYLE.md rule 5).

Defaults come from here, are overridden by the model's ``train`` block
(:func:`from_model`), then by command-line flags (:meth:`PINNSettings.replace`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any, Literal

from ....compiler.diagnostics import SemanticModelError
from ....compiler.ir.model import Model

__all__ = ["PINNSettings", "from_model", "SAMPLERS", "INITS"]

SAMPLERS = ("uniform", "sobol", "rar-d")
INITS = ("glorot", "uniform")  # network initialisations, see network.make_nets


@dataclass(frozen=True, slots=True)
class PINNSettings:
    """How a PINN is built and trained.

    ``windows``: time-marching windows (0 = chosen from the model, 1 = no marching);
    ``hard``: satisfy the initial condition and compatible Dirichlet sides exactly by a
    distance-function ansatz (Lagaris et al. 1998; Sukumar & Srivastava 2022), else all
    constraints are loss terms; ``balance_every``: steps between learning-rate-annealing
    weight updates (Wang, Teng & Perdikaris 2021, SIAM J. Sci. Comput. 43, A3055,
    Algorithm 1; 0 = off); ``resample_every``: steps between fresh collocation draws
    (uniform) or RAR-D additions (Wu et al. 2023, CMAME 403, 115671); ``lbfgs_float64``:
    run the L-BFGS phase in float64 after float32 Adam (its line search stalls early on a
    float32 loss; the weights are stored back in the training precision); ``init``: the
    network's initial weights (Glorot normal, or equinox's uniform; see ``make_nets``).
    """

    width: int = 64
    depth: int = 4
    steps: int = 5000
    points: int = 2048
    boundary_points: int = 256
    sampler: Literal["uniform", "sobol", "rar-d"] = "sobol"
    windows: int = 0
    lbfgs_steps: int = 500
    lr: float = 1e-3
    lr_decay: float = 0.9
    lr_decay_steps: int = 1000
    float64: bool = False
    lbfgs_float64: bool = False
    seed: int = 0
    init: Literal["glorot", "uniform"] = "glorot"
    hard: bool = True
    harmonics: int = 1
    fourier: int = 0
    fourier_sigma: float = 1.0
    balance_every: int = 100
    balance_alpha: float = 0.9
    resample_every: int = 100
    rar_candidates: int = 8192
    rar_add: int = 256
    checkpoint_every: int = 500
    data_weight: float = 1.0

    def __post_init__(self) -> None:
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        if self.sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}, got {self.sampler!r}")
        for name in ("width", "depth", "points"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")
        if self.steps < 0 or self.lbfgs_steps < 0 or self.windows < 0:
            raise ValueError("steps, lbfgs_steps and windows must be >= 0")

    def replace(self, **changes: Any) -> PINNSettings:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PINNSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


_ALIASES = {"lbfgs": "lbfgs_steps", "lbfgs-steps": "lbfgs_steps", "soft-constraints": "soft", "soft_constraints": "soft"}


def from_model(model: Model, base: PINNSettings | None = None) -> PINNSettings:
    """``base`` with the options of the model's ``train`` block applied."""
    s = base or PINNSettings()
    if model.train is None or model.train.method != "pinn":
        return s
    names = {f.name: f for f in fields(PINNSettings)}
    changes: dict[str, Any] = {}
    for key, value in model.train.options:
        k = _ALIASES.get(key, key.replace("-", "_"))
        if k == "soft":
            changes["hard"] = not bool(value)
            continue
        if k == "causal":
            changes["windows"] = 0 if _truthy(value) else 1
            continue
        if k == "sampler" and isinstance(value, str):
            value = value.replace("_", "-")  # `sampler rar_d`: a .pde word has no hyphen
        if k not in names:
            raise SemanticModelError(
                f"unknown PINN training option `{key}`", model.train.span,
                "known options: " + ", ".join(sorted(names)),
            )
        typ = type(getattr(s, k))
        try:
            changes[k] = _truthy(value) if typ is bool else typ(value)
        except (TypeError, ValueError):
            raise SemanticModelError(f"training option `{key}`: {value!r} is not a {typ.__name__}", model.train.span) from None
    try:
        return s.replace(**changes)
    except ValueError as exc:
        raise SemanticModelError(f"training options: {exc}", model.train.span) from None


def _truthy(v: Any) -> bool:
    if isinstance(v, str):
        return v.lower() in ("1", "true", "on", "yes")
    return bool(v)
