"""PINN settings from a model's ``train`` line (backends/jax/pinn/settings.py)."""

from __future__ import annotations

import pytest
from eqc.backends.jax.pinn.settings import from_model
from eqc.compiler.diagnostics import SemanticModelError
from eqc.frontend.loader import parse

MODEL = """model m
domain x in [0, 1]
field u
dt(u) = 0.1*lap(u)
bc u = 0 at x = 0
bc u = 0 at x = 1
init u = sin(pi*x)
"""


def test_train_line_options_reach_the_settings() -> None:
    s = from_model(parse(MODEL + "train pinn width 32 depth 3 points 4096 sampler rar_d lbfgs 700 soft on\n"))
    assert (s.width, s.depth, s.points, s.sampler, s.lbfgs_steps, s.hard) == (32, 3, 4096, "rar-d", 700, False)


def test_unknown_sampler_is_a_model_error() -> None:
    with pytest.raises(SemanticModelError):
        from_model(parse(MODEL + "train pinn sampler halton\n"))
