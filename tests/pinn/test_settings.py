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


def test_init_and_lbfgs_precision_from_the_train_line() -> None:
    s = from_model(parse(MODEL + "train pinn init uniform lbfgs_float64 on\n"))
    assert (s.init, s.lbfgs_float64) == ("uniform", True)
    assert from_model(parse(MODEL)).init == "glorot"
    with pytest.raises(SemanticModelError):
        from_model(parse(MODEL + "train pinn init zeros\n"))


def test_glorot_and_uniform_initialisations_differ_in_scale() -> None:
    import numpy as np
    from eqc.backends.jax.pinn.network import make_nets

    def hidden(init):
        net = make_nets([((0.0,), (1.0,))], (False,), 1, width=256, depth=2, seed=0, init=init)[0]
        return np.asarray(net.mlp.layers[1].weight), np.asarray(net.mlp.layers[1].bias)

    (wg, bg), (wu, bu) = hidden("glorot"), hidden("uniform")
    assert np.std(wg) == pytest.approx(np.sqrt(2 / 512), rel=0.02) and not bg.any()
    assert np.std(wu) == pytest.approx(1 / np.sqrt(3 * 256), rel=0.02) and bu.any()
