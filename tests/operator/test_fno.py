"""The FNO (eqc.backends.jax.operator.fno), its training loop and the operator file."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from burgers_reference import burgers_etdrk4
from eqc.backends.jax.operator.artifact import (
    NeuralOperator,
    OperatorSpec,
    load_operator,
    save_operator,
)
from eqc.backends.jax.operator.fno import FNO, FNOConfig, SpectralConv1d, SpectralConv2d
from eqc.backends.jax.operator.train import TrainOptions, predict, relative_l2, train_fno
from eqc.runtime.dataset import GaussianRandomField


def _identity_weights(conv, c):
    """Set a spectral convolution's complex weights to the identity on every kept mode."""
    import equinox as eqx

    names = [n for n in ("w_re", "w1_re", "w2_re") if hasattr(conv, n)]
    for n in names:
        w = getattr(conv, n)
        eye = jnp.broadcast_to(jnp.eye(c).reshape(c, c, *([1] * (w.ndim - 2))), w.shape)
        conv = eqx.tree_at(lambda m, n=n: getattr(m, n), conv, eye)
        conv = eqx.tree_at(lambda m, n=n: getattr(m, n.replace("re", "im")), conv, jnp.zeros_like(w))
    return conv


def test_spectral_conv_1d_with_identity_weights_is_a_low_pass_filter():
    conv = _identity_weights(SpectralConv1d(1, 1, 8, key=jax.random.PRNGKey(0)), 1)
    x = (np.arange(128) + 0.5) / 128
    low = np.sin(2 * np.pi * 3 * x) + 0.5 * np.cos(2 * np.pi * 7 * x) + 0.25
    high = np.sin(2 * np.pi * 8 * x) + np.cos(2 * np.pi * 30 * x)
    out = np.asarray(conv(jnp.asarray((low + high)[None], jnp.float32)))[0]
    np.testing.assert_allclose(out, low, atol=1e-5)


def test_spectral_conv_2d_keeps_positive_and_negative_low_modes():
    conv = _identity_weights(SpectralConv2d(1, 1, 6, key=jax.random.PRNGKey(1)), 1)
    n1, n2 = 32, 24
    x, y = np.meshgrid((np.arange(n1) + 0.5) / n1, (np.arange(n2) + 0.5) / n2, indexing="ij")
    low = np.cos(2 * np.pi * (2 * x + 3 * y)) + np.sin(2 * np.pi * (5 * x - 4 * y)) + 0.3
    high = np.cos(2 * np.pi * (9 * x + y)) + np.sin(2 * np.pi * (x + 7 * y))
    out = np.asarray(conv(jnp.asarray((low + high)[None], jnp.float32)))[0]
    np.testing.assert_allclose(out, low, atol=1e-5)


@pytest.mark.parametrize("dim,shape", [(1, (3, 40)), (2, (3, 20, 18))])
def test_fno_maps_channels_on_any_grid(dim, shape):
    cfg = FNOConfig(dim=dim, in_channels=3, out_channels=5, modes=4, width=8, layers=2, hidden=16)
    net = FNO(cfg, key=jax.random.PRNGKey(0))
    import equinox as eqx
    from eqc.backends.jax.operator.fno import unit_coords

    apply = eqx.filter_jit(lambda net, a: net(a, unit_coords(a.shape[1:])))
    for s in (shape, (3, *(2 * n for n in shape[1:]))):
        out = apply(net, jnp.ones(s))
        assert out.shape == (5, *s[1:]) and bool(jnp.all(jnp.isfinite(out)))


@pytest.fixture(scope="module")
def burgers_pairs():
    """80 Burgers pairs u(0) -> u(0.1) (nu = 0.1) at 64 points and 16 more at 128 points."""
    g = GaussianRandomField()
    coarse = np.stack([g.sample((64,), (1.0,), 0, i) for i in range(80)])
    fine = np.stack([g.sample((128,), (1.0,), 1, i) for i in range(16)])
    return (burgers_etdrk4(coarse, 0.1, 1.0, [0.0, 0.1], dt=1e-3),
            burgers_etdrk4(fine, 0.1, 1.0, [0.0, 0.1], dt=1e-3))


def test_tiny_fno_beats_predicting_the_input(burgers_pairs, tmp_path):
    """64 training samples, 200 steps: the held-out error is far below the identity map's,
    on the training grid and on a twice finer one (zero-shot super-resolution)."""
    u, fine = burgers_pairs
    cfg = FNOConfig(dim=1, in_channels=1, out_channels=1, modes=8, width=16, layers=2, hidden=32)
    opts = TrainOptions(steps=200, batch=16, lr=3e-3, checkpoint_every=1000)
    net, hist = train_fno(cfg, u[:64, 0, None], u[:64, 1:, None], [0], np.array([0.0, 0.1]), opts)
    assert hist[-1] < 0.2 * hist[0]
    for data in (u[64:], fine):
        pred = predict(net, data[:, 0, None], 1)[:, 0, 0]
        fno = relative_l2(pred, data[:, 1]).mean()
        identity = relative_l2(data[:, 0], data[:, 1]).mean()
        assert fno < 0.1 * identity, (fno, identity)

    # the saved operator gives back the same numbers, for a batch and for one sample
    spec = OperatorSpec("burgers", ("u",), ("x",), (0.0,), (1.0,), 0.0, (0.1,))
    path = tmp_path / "b.fno"
    save_operator(path, NeuralOperator(net, cfg, spec, {"note": "test"}))
    op = load_operator(path)
    np.testing.assert_allclose(op(u[64:, 0]), predict(net, u[64:, 0, None], 1)[:, 0, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(op(fine[3, 0]), op(fine[:, 0])[3], rtol=1e-5, atol=1e-6)
    assert op.rollout(u[64:, 0]).shape == (16, 1, 64)
    assert op.report == {"note": "test"} and op.times == (0.1,)
    with pytest.raises(ValueError, match="shape"):
        op(np.zeros((2, 3, 64)))


def test_resumed_training_equals_an_uninterrupted_run(burgers_pairs, tmp_path):
    u, _ = burgers_pairs
    cfg = FNOConfig(dim=1, in_channels=1, out_channels=1, modes=4, width=8, layers=1, hidden=8)
    opts = TrainOptions(steps=24, batch=16, checkpoint_every=8)
    args = (cfg, u[:48, 0, None], u[:48, 1:, None], [0], np.array([0.0, 0.1]), opts)
    ref, ref_hist = train_fno(*args)
    ckpt = tmp_path / "run.ckpt"

    def interrupt(step, loss):
        if step == 13:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_fno(*args, checkpoint=ckpt, callback=interrupt)
    net, hist = train_fno(*args, checkpoint=ckpt, resume=True)
    assert len(hist) == 24
    np.testing.assert_allclose(hist, ref_hist, rtol=1e-6)
    x = u[48:, 0, None]
    np.testing.assert_allclose(predict(net, x, 1), predict(ref, x, 1), rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="other settings"):
        train_fno(cfg, *args[1:-1], TrainOptions(steps=30), checkpoint=ckpt, resume=True)


def test_two_dimensional_training_with_the_pino_loss():
    """A few steps of a 2-D FNO on heat-equation data with the physics loss switched on."""
    from eqc.backends.jax.operator.pino import make_rhs

    import eqc

    model = eqc.load("stdlib:heat_2d")
    g = GaussianRandomField()
    u0 = np.stack([g.sample((16, 16), (1.0, 1.0), 0, i) for i in range(6)])[:, None]
    d = model.param_values()["D"]
    kx = 2 * np.pi * np.fft.fftfreq(16, d=1 / 16)
    decay = np.exp(-d * 0.5 * (kx[:, None] ** 2 + kx[None, :] ** 2))
    uT = np.real(np.fft.ifft2(np.fft.fft2(u0) * decay))  # the exact heat flow to t = 0.5
    cfg = FNOConfig(dim=2, in_channels=1, out_channels=4, modes=4, width=8, layers=1, hidden=8)
    opts = TrainOptions(steps=6, batch=3, pino_weight=0.1)
    net, hist = train_fno(cfg, u0, uT[:, None], [3], np.linspace(0, 0.5, 5), opts, residual=make_rhs(model))
    assert len(hist) == 6 and np.all(np.isfinite(hist))
    assert predict(net, u0, 4).shape == (6, 4, 1, 16, 16)
