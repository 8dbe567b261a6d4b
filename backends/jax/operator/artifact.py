"""A trained neural operator as a file, and as a callable on NumPy arrays.

File format (``eqc-operator/1``): one line of JSON (the architecture, the model's field and
axis names, the box, the output times, the training report), a newline, then the weights as
written by :func:`equinox.tree_serialise_leaves`. Written atomically (temporary file and
rename), so a crash never leaves half a file under the final name. Training checkpoints use
the same framing with the optimiser state and the step beside the weights.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ....runtime.checkpoint import atomic_write_bytes
from .fno import FNO, FNOConfig, unit_coords

__all__ = ["OperatorSpec", "NeuralOperator", "save_operator", "load_operator", "write_framed", "read_framed"]

FORMAT = "eqc-operator/1"


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """What an operator maps: fields on a box, from ``t0`` to each of ``times``."""

    model: str
    fields: tuple[str, ...]
    axes: tuple[str, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    t0: float
    times: tuple[float, ...]  # output times (the last one is the one-step map's T)
    params: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    @classmethod
    def from_json(cls, d: dict) -> OperatorSpec:
        return cls(**{k: tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v
                      for k, v in d.items()})


@dataclass
class NeuralOperator:
    """A trained FNO: ``op(u0)`` maps initial data to the fields at ``spec.times[-1]``.

    ``u0`` is ``(B, *grid)`` for a one-field model or ``(B, F, *grid)`` (a single sample
    without the batch axis is accepted too), on any grid of the model's box with at least
    ``2*modes`` points per axis. :meth:`rollout` returns every output time.
    """

    net: FNO
    config: FNOConfig
    spec: OperatorSpec
    report: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._apply = eqx.filter_jit(_apply_batch)

    def _as_batch(self, u0) -> tuple[jnp.ndarray, bool]:
        """``u0`` as ``(B, F, *grid)`` float32, and whether it was a single sample."""
        a = np.asarray(u0, dtype=np.float32)
        nf, dim = len(self.spec.fields), self.config.dim
        if nf == 1 and a.ndim in (dim, dim + 1):
            single = a.ndim == dim
            a = a.reshape(-1, 1, *a.shape[a.ndim - dim :])
        elif nf > 1 and a.ndim in (dim + 1, dim + 2) and a.shape[-dim - 1] == nf:
            single = a.ndim == dim + 1
            a = a.reshape(-1, nf, *a.shape[a.ndim - dim :])
        else:
            layout = "(batch, *grid)" if nf == 1 else f"(batch, {nf}, *grid)"
            raise ValueError(f"expected u0 of shape {layout} on a {dim}-D grid, got {np.shape(u0)}")
        return jnp.asarray(a), single

    def rollout(self, u0) -> np.ndarray:
        """Every output time: ``(B, K, *grid)`` for one field, else ``(B, K, F, *grid)``."""
        a, single = self._as_batch(u0)
        out = np.asarray(self._apply(self.net, a, len(self.spec.times)))
        if len(self.spec.fields) == 1:
            out = out[:, :, 0]
        return out[0] if single else out

    def __call__(self, u0) -> np.ndarray:
        """The fields at the final time ``spec.times[-1]``, in the layout of ``u0``."""
        a, single = self._as_batch(u0)
        out = np.asarray(self._apply(self.net, a, len(self.spec.times)))[:, -1]
        if len(self.spec.fields) == 1:
            out = out[:, 0]
        return out[0] if single else out

    @property
    def times(self) -> tuple[float, ...]:
        return self.spec.times


def _apply_batch(net: FNO, a: jnp.ndarray, k: int) -> jnp.ndarray:
    """``a``: ``(B, F, *grid)`` -> ``(B, K, F, *grid)``."""
    coords = unit_coords(a.shape[2:])
    out = jax.vmap(lambda x: net(x, coords))(a)
    return out.reshape(a.shape[0], k, a.shape[1], *a.shape[2:])


def write_framed(path: str | os.PathLike, header: dict, tree) -> None:
    """Header line of JSON, newline, then ``tree``'s leaves; atomically."""
    buf = io.BytesIO()
    buf.write(json.dumps(header).encode() + b"\n")
    eqx.tree_serialise_leaves(buf, tree)
    atomic_write_bytes(path, buf.getvalue())


def read_framed(path: str | os.PathLike) -> tuple[dict, io.BytesIO]:
    """The header of a framed file and a stream positioned at its leaves."""
    data = Path(path).read_bytes()
    nl = data.find(b"\n")
    if nl < 0:
        raise ValueError(f"{path} is not an eqc operator file")
    try:
        header = json.loads(data[:nl])
    except json.JSONDecodeError:
        raise ValueError(f"{path} is not an eqc operator file") from None
    return header, io.BytesIO(data[nl + 1 :])


def save_operator(path: str | os.PathLike, op: NeuralOperator) -> None:
    header = {"format": FORMAT, "config": op.config.to_json(), "spec": op.spec.to_json(), "report": op.report}
    write_framed(path, header, op.net)


def load_operator(path: str | os.PathLike) -> NeuralOperator:
    """Read a file written by :func:`save_operator`."""
    header, stream = read_framed(path)
    if header.get("format") != FORMAT:
        raise ValueError(f"{path}: not an {FORMAT} file (format {header.get('format')!r})")
    config = FNOConfig(**header["config"])
    skeleton = FNO(config, key=jax.random.PRNGKey(0))
    net = eqx.tree_deserialise_leaves(stream, skeleton)
    return NeuralOperator(net, config, OperatorSpec.from_json(header["spec"]), header.get("report", {}))
