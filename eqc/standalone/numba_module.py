"""``eqc compile --target numba``: a standalone module (numpy + numba) with ``rhs``, ``step``
(classical RK4, the whole loop compiled) and the model's metadata.

The kernels are the numba backend's own module source (:func:`eqc.backends.numba.emit.emit_module`,
one renderer of the kernel IR); this adds the provenance header, the metadata and the
user-facing wrappers around the generated ``rhs``/``advance``.
"""

from __future__ import annotations

from eqc.backends.numba.emit import Tableau, emit_module
from eqc.compiler.ir.kernel import KernelIR
from eqc.compiler.options import BackendOptions

from .meta import GRID_HELPERS, StandaloneInfo, header_comment, metadata_block

__all__ = ["render"]

RK4 = Tableau("rk4", ((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)), (1 / 6, 1 / 3, 1 / 3, 1 / 6), (0.0, 0.5, 0.5, 1.0))

_WRAPPERS = '''

# -- the standalone interface ------------------------------------------------------------
kernel_rhs = rhs  # the generated kernel: kernel_rhs(Y, out, t, p, lo, h, n)
_STEP_BUFFERS = {nbuf}
HAS_STEP = {has_step}


def rhs(t, y, out=None, params=None, n=None):  # noqa: F811 - wraps the kernel above
    """dy/dt of every evolved field (fills y's ghosts first); returns out."""
    if out is None:
        out = np.zeros_like(y)
    lo, h, nn = _grid_arrays(n)
    p = param_vector(params)
    kernel_rhs_serial(y, out, float(t), p, lo, h, nn) if y.size < 20000 else kernel_rhs(y, out, float(t), p, lo, h, nn)
    return out


kernel_rhs_serial = rhs_serial


def step(y, t, dt, nsteps=1, params=None, n=None):
    """nsteps classical RK4 steps of size dt on y, in place (compiled loop); returns the new time."""
    if not HAS_STEP:
        raise RuntimeError(f"{{MODEL}} has no compiled time step (steady or constrained model)")
    lo, h, nn = _grid_arrays(n)
    p = param_vector(params)
    B = np.zeros((max(_STEP_BUFFERS, 1), *y.shape))
    acc, ynew = np.zeros(y.shape), np.zeros(y.shape)
    fn = advance_serial if y.size < 20000 else advance
    return float(fn(y, float(t), float(dt), int(nsteps), p, lo, h, nn, B, acc, ynew))
'''


def render(kernel: KernelIR, info: StandaloneInfo) -> str:
    """The source of the standalone numba module of ``kernel``."""
    has_step = not kernel.steady and not kernel.constraints
    src, nbuf = emit_module(kernel, BackendOptions(), RK4 if has_step else None)
    head = header_comment(kernel, info, "numba", "numpy and numba")
    return (head + src + "\n\n# -- metadata ---------------------------------------------------------------------------\n"
            + metadata_block(kernel, info) + GRID_HELPERS
            + _WRAPPERS.format(nbuf=nbuf, has_step=has_step))
