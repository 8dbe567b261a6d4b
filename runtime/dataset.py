"""Operator-learning datasets: Gaussian random field initial data and resumable zarr shards.

Two things live here, both independent of the rest of eqc (the runtime imports no other eqc
package):

* :class:`GaussianRandomField`, the initial-data measure of the Fourier neural operator
  paper (Li et al. 2021, "Fourier neural operator for parametric PDEs", §5.1: Burgers with
  ``u0 ~ N(0, 625 (-Laplacian + 25 I)^-2)`` on the periodic box). Generally
  ``N(0, sigma (-Laplacian + tau^2 I)^-alpha)``; sample ``i`` depends only on ``(seed, i)``.
* :func:`generate`, which fills a zarr group block by block (one chunk per block of
  samples). A block's completion marker is written *after* its data, atomically, so a run
  that is interrupted resumes where it stopped and never trusts a half-written chunk.

Store layout (zarr v3, readable with ``xarray.open_zarr``)::

    data.zarr/
      zarr.json            attrs: "eqc_dataset" (the layout below, as JSON) + user metadata
      <field>/             float64 (sample, time, *axes); time 0 is the initial condition
      time/, <axis>/       coordinates
      .eqc_done/<block>    completion markers: JSON with the block's solve seconds
"""

from __future__ import annotations

import json
import os
import time as _time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .checkpoint import atomic_write_bytes

__all__ = [
    "GaussianRandomField",
    "parse_ic",
    "DatasetLayout",
    "DatasetMismatch",
    "generate",
    "open_dataset",
    "done_blocks",
]

DONE_DIR = ".eqc_done"


# --------------------------------------------------------------------------- GRF sampler
@dataclass(frozen=True, slots=True)
class GaussianRandomField:
    """The Gaussian measure ``N(0, sigma (-Laplacian + tau^2 I)^(-alpha))`` on a periodic box.

    Eigenfunctions of the Laplacian on a box of side lengths ``L`` are Fourier modes with
    eigenvalues ``|2 pi k / L|^2``, so mode ``k`` has variance
    ``lambda_k = sigma (4 pi^2 |k/L|^2 + tau^2)^(-alpha)`` (Li et al. 2021 use
    ``alpha=2, tau=5, sigma=625`` for Burgers). As in their reference sampler the constant
    mode is dropped (``mean_zero``), so fields have zero mean.

    Normalisation: with ``c_k = fft(u)_k / N`` (``N`` grid points, box volume ``V``),
    ``E|c_k|^2 = lambda_k / V`` for every non-constant mode a grid resolves: the discrete
    field is the orthonormal Karhunen–Loeve expansion truncated to the grid's modes.
    """

    alpha: float = 2.0
    tau: float = 5.0
    sigma: float = 625.0
    mean_zero: bool = True

    def __post_init__(self) -> None:
        if self.sigma <= 0 or self.tau < 0 or self.alpha <= 0:
            raise ValueError("GRF: need sigma > 0, tau >= 0, alpha > 0")
        if self.tau == 0 and not self.mean_zero:
            raise ValueError("GRF: tau = 0 has an infinite constant mode; keep mean_zero")

    def eigenvalues(self, shape: Sequence[int], lengths: Sequence[float]) -> np.ndarray:
        """``lambda_k`` on the ``rfftn`` frequency grid of ``shape`` (last axis halved)."""
        ks = []
        for axis, (n, L) in enumerate(zip(shape, lengths, strict=True)):
            f = np.fft.rfftfreq(n, d=1.0 / n) if axis == len(shape) - 1 else np.fft.fftfreq(n, d=1.0 / n)
            ks.append(2 * np.pi * f / L)
        grids = np.meshgrid(*ks, indexing="ij")
        k2 = sum(g * g for g in grids)
        with np.errstate(divide="ignore"):
            lam = self.sigma * (k2 + self.tau**2) ** (-self.alpha)
        if self.mean_zero:
            lam[(0,) * len(shape)] = 0.0
        return lam

    def sample(
        self, shape: Sequence[int], lengths: Sequence[float], seed: int, index: int, component: int = 0
    ) -> np.ndarray:
        """Sample ``index`` of the stream ``seed`` on a grid of ``shape`` (cell values);
        ``component`` tells the fields of one multi-field sample apart.

        White noise ``xi`` (one standard normal per cell, ``default_rng([seed, index, component])``)
        filtered in Fourier space: ``fft(u)_k = sqrt(N lambda_k / V) fft(xi)_k``, which gives
        ``E|fft(u)_k / N|^2 = lambda_k / V``.
        """
        shape = tuple(int(n) for n in shape)
        rng = np.random.default_rng([int(seed), int(index), int(component)])
        xi = rng.standard_normal(shape)
        npts = int(np.prod(shape))
        volume = float(np.prod(lengths))
        scale = np.sqrt(npts * self.eigenvalues(shape, lengths) / volume)
        axes = tuple(range(len(shape)))
        return np.fft.irfftn(scale * np.fft.rfftn(xi, axes=axes), s=shape, axes=axes)


def parse_ic(text: str) -> GaussianRandomField:
    """``grf`` or ``grf:alpha=2,tau=5,sigma=625`` as a :class:`GaussianRandomField`.

    Raises ``ValueError`` with a readable message on anything else.
    """
    kind, _, rest = text.strip().partition(":")
    if kind.strip().lower() != "grf":
        raise ValueError(f"unknown initial-data measure {kind!r}; only 'grf' is known")
    values: dict[str, float | bool] = {}
    allowed = {"alpha", "tau", "sigma", "mean_zero"}
    for item in filter(None, (s.strip() for s in rest.split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in allowed:
            raise ValueError(f"bad GRF option {item!r}; write e.g. grf:alpha=2,tau=5,sigma=625")
        try:
            values[name] = bool(int(value)) if name == "mean_zero" else float(value)
        except ValueError:
            raise ValueError(f"GRF option {name}: {value!r} is not a number") from None
    return GaussianRandomField(**values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the store
class DatasetMismatch(ValueError):
    """An existing store was written with different settings than the run asks for."""


@dataclass(frozen=True, slots=True)
class DatasetLayout:
    """Everything that fixes a dataset's contents; a resumed run must ask for the same."""

    fields: tuple[str, ...]
    axes: tuple[str, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    shape: tuple[int, ...]
    times: tuple[float, ...]  # saved times; times[0] is the initial time
    samples: int
    block: int
    seed: int
    ic: tuple[tuple[str, float | bool], ...]  # the GRF's fields, sorted
    solver: tuple[tuple[str, str], ...] = ()  # what else fixes the data (model, params, backend)

    def __post_init__(self) -> None:
        if self.samples < 1 or self.block < 1:
            raise ValueError("a dataset needs at least one sample and a block size >= 1")
        if len(self.times) < 2 or any(b <= a for a, b in zip(self.times, self.times[1:], strict=False)):
            raise ValueError("dataset times must be increasing, the initial time first")

    @property
    def blocks(self) -> int:
        return -(-self.samples // self.block)

    def block_range(self, b: int) -> range:
        return range(b * self.block, min((b + 1) * self.block, self.samples))

    @property
    def lengths(self) -> tuple[float, ...]:
        return tuple(h - l for l, h in zip(self.lo, self.hi, strict=True))

    def coords(self, k: int) -> np.ndarray:
        """Cell centres of axis ``k`` (docs/grid.md: ``lo + (i + 1/2) h``)."""
        h = (self.hi[k] - self.lo[k]) / self.shape[k]
        return self.lo[k] + (np.arange(self.shape[k]) + 0.5) * h

    def to_json(self) -> dict:
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_json(cls, d: Mapping) -> DatasetLayout:
        def tup(v):
            return tuple(tuple(x) if isinstance(x, list) else x for x in v)

        return cls(**{k: (tup(v) if isinstance(v, list) else v) for k, v in d.items()})


def _marker(path: Path, b: int) -> Path:
    return path / DONE_DIR / f"{b:06d}"


def done_blocks(path: str | os.PathLike) -> dict[int, float]:
    """Finished blocks of a store: block index -> seconds its solve took."""
    d = Path(path) / DONE_DIR
    out: dict[int, float] = {}
    if d.is_dir():
        for f in d.iterdir():
            if f.name.isdigit():
                out[int(f.name)] = float(json.loads(f.read_text())["seconds"])
    return out


def _open_or_create(path: Path, layout: DatasetLayout, attrs: Mapping, overwrite: bool):
    import zarr

    if path.exists() and not overwrite:
        group = zarr.open_group(str(path), mode="r+")
        old = group.attrs.get("eqc_dataset")
        if old is None:
            raise DatasetMismatch(f"{path} exists and is not an eqc dataset")
        if DatasetLayout.from_json(old) != layout:
            diff = sorted(k for k, v in layout.to_json().items() if old.get(k) != v)
            raise DatasetMismatch(f"{path} was written with different settings ({', '.join(diff)})")
        return group
    group = zarr.open_group(str(path), mode="w")
    dims = ("sample", "time", *layout.axes)
    chunk = (layout.block, len(layout.times), *layout.shape)
    for name in layout.fields:
        group.create_array(
            name,
            shape=(layout.samples, len(layout.times), *layout.shape),
            chunks=chunk,
            dtype="float64",
            dimension_names=dims,
            fill_value=np.nan,
        )
    group.create_array("time", data=np.asarray(layout.times, dtype="float64"), dimension_names=("time",))
    for k, ax in enumerate(layout.axes):
        group.create_array(ax, data=layout.coords(k), dimension_names=(ax,))
    group.attrs.update({**dict(attrs), "eqc_dataset": layout.to_json()})
    return group


def open_dataset(path: str | os.PathLike):
    """An eqc dataset store as ``(layout, zarr group, attrs)``; raises if it is incomplete."""
    import zarr

    group = zarr.open_group(str(path), mode="r")
    if "eqc_dataset" not in group.attrs:
        raise DatasetMismatch(f"{path} is not an eqc dataset (no 'eqc_dataset' attribute)")
    layout = DatasetLayout.from_json(group.attrs["eqc_dataset"])
    missing = layout.blocks - len(done_blocks(path))
    if missing:
        raise DatasetMismatch(f"{path} is incomplete: {missing} of {layout.blocks} blocks missing; re-run to resume")
    return layout, group, dict(group.attrs)


# --------------------------------------------------------------------------- generation
BlockSolver = Callable[[Sequence[int]], np.ndarray]
"""A picklable callable: sample indices -> array ``(len(indices), len(times), F, *shape)``."""


def _timed(solve: BlockSolver, indices: list[int]) -> tuple[np.ndarray, float]:
    t0 = _time.perf_counter()
    out = solve(indices)
    return out, _time.perf_counter() - t0


def generate(
    path: str | os.PathLike,
    layout: DatasetLayout,
    solve: BlockSolver,
    *,
    attrs: Mapping | None = None,
    workers: int = 1,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
    on_block: Callable[[int], None] | None = None,
) -> list[int]:
    """Fill the store at ``path`` block by block, skipping blocks already finished.

    ``solve(indices)`` computes the samples of one block (``workers > 1``: in a pool of
    spawned processes, so ``solve`` must be picklable). The parent writes each block's
    chunk, then its completion marker (atomically), then calls ``on_block(b)`` and
    ``progress(done, total)``. Returns the blocks computed by this call.
    """
    path = Path(path)
    group = _open_or_create(path, layout, attrs or {}, overwrite)
    done = set(done_blocks(path))
    todo = [b for b in range(layout.blocks) if b not in done]
    finished = len(done)
    if progress:
        progress(finished, layout.blocks)

    def store(b: int, data: np.ndarray, seconds: float) -> None:
        nonlocal finished
        r = layout.block_range(b)
        expected = (len(r), len(layout.times), len(layout.fields), *layout.shape)
        if data.shape != expected:
            raise ValueError(f"block {b}: solver returned shape {data.shape}, expected {expected}")
        for k, name in enumerate(layout.fields):
            group[name][r.start : r.stop] = data[:, :, k]
        _marker(path, b).parent.mkdir(exist_ok=True)
        atomic_write_bytes(_marker(path, b), json.dumps({"seconds": seconds, "samples": len(r)}).encode())
        finished += 1
        if on_block:
            on_block(b)
        if progress:
            progress(finished, layout.blocks)

    if workers <= 1 or len(todo) <= 1:
        for b in todo:
            store(b, *_timed(solve, list(layout.block_range(b))))
        return todo
    import multiprocessing as mp

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        futures = {b: pool.submit(_timed, solve, list(layout.block_range(b))) for b in todo}
        try:
            for b in todo:  # in order, so markers appear in order and a resume is simple
                store(b, *futures[b].result())
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return todo
