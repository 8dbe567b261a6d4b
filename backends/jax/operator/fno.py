"""The Fourier neural operator in equinox, in one and two space dimensions.

Li, Kovachki, Azizzadenesheli, Liu, Bhattacharya, Stuart, Anandkumar (2021), "Fourier
neural operator for parametric partial differential equations", ICLR, §4 and Fig. 2:

    v0 = P(a(x), x);   v_{l+1} = GELU(W_l v_l + F^-1(R_l . F(v_l)));   u = Q(v_L)

``P`` lifts the input channels (the fields plus the grid coordinates) to ``width``
channels, each Fourier layer multiplies the lowest ``modes`` Fourier modes by a learned
complex matrix (``R_l``, stored as real and imaginary parts) and adds a pointwise linear
map ``W_l``; ``Q`` projects to the output channels through a hidden layer of 128. Only the
kept modes carry weights, so the same operator runs on any grid with at least ``2*modes``
points per axis (the paper's zero-shot super-resolution). Arrays are channel-first
``(C, *grid)`` per sample; vmap over a batch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import equinox as eqx
import jax
import jax.numpy as jnp

__all__ = ["FNOConfig", "SpectralConv1d", "SpectralConv2d", "FNO"]


@dataclass(frozen=True, slots=True)
class FNOConfig:
    """The architecture: everything needed to rebuild an FNO before loading its weights."""

    dim: int
    in_channels: int  # field channels (the grid coordinates are appended on top)
    out_channels: int
    modes: int = 16
    width: int = 64
    layers: int = 4
    hidden: int = 128

    def __post_init__(self) -> None:
        if self.dim not in (1, 2):
            raise ValueError(f"FNO: only 1 and 2 space dimensions are implemented, got {self.dim}")
        if min(self.in_channels, self.out_channels, self.modes, self.width, self.layers, self.hidden) < 1:
            raise ValueError("FNO: channels, modes, width, layers and hidden must be positive")

    def to_json(self) -> dict:
        return asdict(self)


def _complex_weights(key, cin: int, cout: int, modes: tuple[int, ...]):
    """Uniform [0, 1) / (cin*cout) real and imaginary parts, the reference initialisation."""
    scale = 1.0 / (cin * cout)
    kr, ki = jax.random.split(key)
    shape = (cin, cout, *modes)
    return scale * jax.random.uniform(kr, shape), scale * jax.random.uniform(ki, shape)


class SpectralConv1d(eqx.Module):
    """``F^-1(R . F(v))`` on one axis, keeping the lowest ``modes`` modes of the rfft."""

    w_re: jax.Array
    w_im: jax.Array
    modes: int = eqx.field(static=True)

    def __init__(self, cin: int, cout: int, modes: int, *, key):
        self.modes = modes
        self.w_re, self.w_im = _complex_weights(key, cin, cout, (modes,))

    def __call__(self, v: jax.Array) -> jax.Array:
        n = v.shape[-1]
        m = min(self.modes, n // 2 + 1)
        vh = jnp.fft.rfft(v, axis=-1)[:, :m]
        w = (self.w_re + 1j * self.w_im)[:, :, :m]
        out = jnp.einsum("im,iom->om", vh, w)
        out = jnp.pad(out, ((0, 0), (0, n // 2 + 1 - m)))
        return jnp.fft.irfft(out, n=n, axis=-1)


class SpectralConv2d(eqx.Module):
    """``F^-1(R . F(v))`` on two axes: the lowest ``modes`` modes of the last axis' rfft and
    the ``modes`` lowest positive and negative frequencies of the first axis (two blocks)."""

    w1_re: jax.Array
    w1_im: jax.Array
    w2_re: jax.Array
    w2_im: jax.Array
    modes: int = eqx.field(static=True)

    def __init__(self, cin: int, cout: int, modes: int, *, key):
        self.modes = modes
        k1, k2 = jax.random.split(key)
        self.w1_re, self.w1_im = _complex_weights(k1, cin, cout, (modes, modes))
        self.w2_re, self.w2_im = _complex_weights(k2, cin, cout, (modes, modes))

    def __call__(self, v: jax.Array) -> jax.Array:
        n1, n2 = v.shape[-2:]
        m1 = min(self.modes, n1 // 2)
        m2 = min(self.modes, n2 // 2 + 1)
        vh = jnp.fft.rfft2(v, axes=(-2, -1))
        w1 = (self.w1_re + 1j * self.w1_im)[:, :, :m1, :m2]
        w2 = (self.w2_re + 1j * self.w2_im)[:, :, :m1, :m2]
        out = jnp.zeros((w1.shape[1], n1, n2 // 2 + 1), dtype=vh.dtype)
        out = out.at[:, :m1, :m2].set(jnp.einsum("ixy,ioxy->oxy", vh[:, :m1, :m2], w1))
        out = out.at[:, n1 - m1 :, :m2].set(jnp.einsum("ixy,ioxy->oxy", vh[:, n1 - m1 :, :m2], w2))
        return jnp.fft.irfft2(out, s=(n1, n2), axes=(-2, -1))


def _pointwise(x: jax.Array, lin: eqx.nn.Linear) -> jax.Array:
    """A linear map over the channel axis at every grid point (a 1x1 convolution)."""
    c = x.shape[0]
    flat = x.reshape(c, -1)
    out = lin.weight @ flat + lin.bias[:, None]
    return out.reshape(out.shape[0], *x.shape[1:])


class FNO(eqx.Module):
    """The FNO of Li et al. (2021): lift, ``layers`` Fourier layers, project."""

    lift: eqx.nn.Linear
    spectral: tuple
    pointwise: tuple
    proj1: eqx.nn.Linear
    proj2: eqx.nn.Linear
    dim: int = eqx.field(static=True)

    def __init__(self, config: FNOConfig, *, key):
        c = config
        keys = jax.random.split(key, 3 + 2 * c.layers)
        conv = SpectralConv1d if c.dim == 1 else SpectralConv2d
        self.dim = c.dim
        self.lift = eqx.nn.Linear(c.in_channels + c.dim, c.width, key=keys[0])
        self.spectral = tuple(conv(c.width, c.width, c.modes, key=keys[3 + i]) for i in range(c.layers))
        self.pointwise = tuple(
            eqx.nn.Linear(c.width, c.width, key=keys[3 + c.layers + i]) for i in range(c.layers)
        )
        self.proj1 = eqx.nn.Linear(c.width, c.hidden, key=keys[1])
        self.proj2 = eqx.nn.Linear(c.hidden, c.out_channels, key=keys[2])

    def __call__(self, a: jax.Array, coords: jax.Array) -> jax.Array:
        """``a``: ``(in_channels, *grid)``; ``coords``: ``(dim, *grid)`` in ``[0, 1)``."""
        v = _pointwise(jnp.concatenate([a, coords], axis=0), self.lift)
        last = len(self.spectral) - 1
        for i, (k, w) in enumerate(zip(self.spectral, self.pointwise, strict=True)):
            v = k(v) + _pointwise(v, w)
            if i != last:
                v = jax.nn.gelu(v)
        v = jax.nn.gelu(_pointwise(v, self.proj1))
        return _pointwise(v, self.proj2)


def unit_coords(shape: tuple[int, ...]) -> jax.Array:
    """Cell-centred coordinates ``(i + 1/2)/n`` of every axis, stacked: ``(dim, *shape)``."""
    axes = [(jnp.arange(n) + 0.5) / n for n in shape]
    return jnp.stack(jnp.meshgrid(*axes, indexing="ij"), axis=0).astype(jnp.float32)
