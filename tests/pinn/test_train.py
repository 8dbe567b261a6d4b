"""Training on heat 1D: accuracy against the exact solution, resume continues the same
loss curve, a saved network loads back, and an inverse run recovers the diffusivity."""

from __future__ import annotations

import numpy as np
import pytest
from eqc.backends.jax.pinn.settings import PINNSettings
from eqc.backends.jax.pinn.trainer import TrainingStopped, train

from eqc.pinn import load_pinn, train_pinn


def _exact(D):
    return lambda t, x: np.exp(-D * np.pi**2 * t) * np.sin(np.pi * x)


def _grid(t1=0.5):
    T, X = np.meshgrid(np.linspace(0, t1, 11), np.linspace(0, 1, 21), indexing="ij")
    return T, X


TINY = PINNSettings(width=24, depth=2, steps=300, points=256, lbfgs_steps=0, windows=1, checkpoint_every=100)


def test_tiny_heat_run_is_accurate(heat) -> None:
    res = train(heat(0.1, t1=0.5), TINY, progress=False)
    T, X = _grid()
    u = res.predict(np.stack([T.ravel(), X.ravel()], 1))[:, 0].reshape(T.shape)
    ref = _exact(0.1)(T, X)
    assert np.linalg.norm(u - ref) / np.linalg.norm(ref) < 5e-2
    assert res.history[-1]["pde"] < res.history[0]["pde"]


def test_soft_constraints_with_rar_d_and_balancing_run(heat) -> None:
    s = TINY.replace(hard=False, steps=100, sampler="rar-d", resample_every=50, rar_candidates=512, rar_add=32,
                     balance_every=50)
    res = train(heat(0.1, t1=0.5), s, progress=False)
    assert {"pde", "bc", "ic"} <= set(res.history[0])
    assert all(np.isfinite(h["loss"]) for h in res.history)
    total = [h["pde"] + h["bc"] + h["ic"] for h in res.history]  # unweighted: the weights change
    assert total[-1] < total[0]


def test_time_marching_windows_join_exactly(heat) -> None:
    """Each window starts from the previous window's end state (hard initial condition)."""
    res = train(heat(0.1, t1=0.5), TINY.replace(windows=2, steps=0), progress=False)  # untrained nets will do
    assert res.windows == ((0.0, 0.25), (0.25, 0.5))
    x = np.linspace(0, 1, 7)
    ends = [res.window_fields()[0], res.window_fields()[1]]
    import jax
    import jax.numpy as jnp

    z = jnp.stack([jnp.full(7, 0.25), jnp.asarray(x)], axis=1).astype(jnp.float32)
    a = np.asarray(jax.vmap(ends[0])(z))
    b = np.asarray(jax.vmap(ends[1])(z))
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_resume_continues_the_same_loss_curve(heat, tmp_path) -> None:
    s = TINY.replace(steps=200, float64=True, sampler="uniform", resample_every=50)
    full = train(heat(0.1, t1=0.5), s, progress=False, out_dir=tmp_path / "a")
    with pytest.raises(TrainingStopped):
        train(heat(0.1, t1=0.5), s, progress=False, out_dir=tmp_path / "b", stop_after=100)
    resumed = train(heat(0.1, t1=0.5), s, progress=False, out_dir=tmp_path / "b", resume=True)
    a = np.array([h["loss"] for h in full.history])
    b = np.array([h["loss"] for h in resumed.history])
    assert len(a) == len(b) == 200
    np.testing.assert_allclose(b, a, rtol=1e-9)


def test_saved_network_loads_back(heat, tmp_path) -> None:
    s = TINY.replace(steps=50)
    rep = train_pinn(heat(0.1, t1=0.5), s, out_dir=tmp_path, progress=False, reference=False, plots=False)
    u = load_pinn(tmp_path)
    T, X = _grid()
    direct = rep.result.predict(np.stack([T.ravel(), X.ravel()], 1))[:, 0].reshape(T.shape)
    np.testing.assert_allclose(u(T, X), direct, rtol=1e-6, atol=1e-7)
    assert u(0.0, 0.5) == pytest.approx(1.0, abs=1e-6)  # the hard initial condition


def test_inverse_run_recovers_the_diffusivity(heat, tmp_path) -> None:
    rng = np.random.default_rng(0)
    t, x = rng.random(200) * 0.5, rng.random(200)
    data = tmp_path / "obs.csv"
    rows = ["t,x,u"] + [f"{a:.17g},{b:.17g},{c:.17g}" for a, b, c in zip(t, x, _exact(0.1)(t, x), strict=True)]
    data.write_text("\n".join(rows) + "\n")
    s = PINNSettings(width=24, depth=2, steps=500, points=256, lbfgs_steps=200, windows=1, float64=True)
    rep = train_pinn(heat(0.1, known=False, t1=0.5), s, observations=data, progress=False, reference=False,
                     truth={"D": 0.1})
    assert rep.estimates["D"]["rel_error"] < 0.02


POISSON = """model poisson_2d
domain x in [-1, 1]
domain y in [-1, 1]
grid 16 x 16
field u
lap(u) = -2*pi^2*sin(pi*x)*sin(pi*y)
bc u = 0 at x = -1
bc u = 0 at x = 1
bc u = 0 at y = -1
bc u = 0 at y = 1
"""


def test_steady_2d_with_all_four_sides_exact_trains(tmp_path) -> None:
    """Hard zero sides on both ends of both axes: the distance factor must not shrink the
    network's output scale (a plain product of normalised distances peaks at 1/16 here,
    and the same run then stays at its initial loss)."""
    import eqc

    path = tmp_path / "poisson.pde"
    path.write_text(POISSON)
    s = TINY.replace(steps=400, sampler="uniform")
    res = train(eqc.load(path), s, progress=False)
    X, Y = np.meshgrid(np.linspace(-1, 1, 21), np.linspace(-1, 1, 21), indexing="ij")
    u = res.predict(np.stack([X.ravel(), Y.ravel()], 1))[:, 0].reshape(X.shape)
    ref = np.sin(np.pi * X) * np.sin(np.pi * Y)
    assert np.linalg.norm(u - ref) / np.linalg.norm(ref) < 5e-2


def test_lbfgs_in_float64_after_float32_adam(heat, monkeypatch) -> None:
    """The L-BFGS phase runs in float64, lowers the loss, and hands back float32 weights."""
    import equinox as eqx
    import jax
    from eqc.backends.jax.pinn import trainer

    seen = []

    def spy(loss, params, steps, on_step=None):
        seen.append({a.dtype for a in jax.tree_util.tree_leaves(params) if eqx.is_inexact_array(a)})
        seen.append(loss(params).dtype)
        return real(loss, params, steps, on_step=on_step)

    real = trainer.lbfgs_minimise
    monkeypatch.setattr(trainer, "lbfgs_minimise", spy)
    s = TINY.replace(steps=200, lbfgs_steps=40, lbfgs_float64=True)
    res = train(heat(0.1, t1=0.5), s, progress=False)
    assert seen == [{np.dtype("float64")}, np.dtype("float64")]  # the parameters and the loss
    leaves = [a for a in jax.tree_util.tree_leaves(res.nets) if eqx.is_inexact_array(a)]
    assert leaves and all(a.dtype == np.float32 for a in leaves)
    adam = [h["loss"] for h in res.history if "lbfgs" not in h]
    lbfgs = [h["loss"] for h in res.history if "lbfgs" in h]
    assert len(lbfgs) > 5 and lbfgs[-1] < adam[-1]
    T, X = _grid()
    u = res.predict(np.stack([T.ravel(), X.ravel()], 1))[:, 0].reshape(T.shape)
    ref = _exact(0.1)(T, X)
    assert np.linalg.norm(u - ref) / np.linalg.norm(ref) < 5e-2
