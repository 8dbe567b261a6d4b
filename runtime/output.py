"""Results as xarray Datasets, and snapshot writers that append frame by frame.

Layout (docs/internals.md §7): coordinates ``time`` and the axes' cell centres
(docs/grid.md); one variable per field with dims ``(time, *axes)``; the parameters as
attributes under their own names (their names listed in ``eqc_params``), plus ``model`` and
``eqc_version``.

Writers: netCDF-4 (netCDF4 library, unlimited ``time`` dimension, synced after every frame)
by default, zarr for a path ending in ``.zarr`` (appended along ``time`` through xarray), or
in memory when there is no path. After every ``write`` the file on disk is a valid result,
so an interrupted run keeps its snapshots; Ctrl-C during a write is held back until the
frame is complete (:func:`deferred_interrupt`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ResultFileError
from .grid import Grid

if TYPE_CHECKING:
    import xarray as xr
# xarray (~0.3 s to import) is imported where a Dataset is built or read: a netCDF run
# writes its frames with netCDF4 alone and needs xarray only for the returned Dataset.

__all__ = [
    "build_dataset",
    "open_writer",
    "open_result",
    "SnapshotWriter",
    "MemoryWriter",
    "NetCDFWriter",
    "ZarrWriter",
    "result_attrs",
]


def _eqc_version() -> str:
    try:
        return metadata.version("eqc")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare tree
        return "unknown"


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) while a frame is written, then raise it: a frame is on
    disk whole or not at all. Only in the main thread (elsewhere signals cannot be caught)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    try:
        old = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    except ValueError:  # pragma: no cover - e.g. an embedded interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
    if caught:
        raise KeyboardInterrupt


def result_attrs(params: Mapping[str, float] | None, attrs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The global attributes of a result: params by name, ``eqc_params``, ``eqc_version``."""
    out: dict[str, Any] = {"eqc_version": _eqc_version()}
    for k, v in (attrs or {}).items():
        out[k] = v if isinstance(v, (int, float, str, np.number)) else str(v)
    params = dict(params or {})
    out["eqc_params"] = ",".join(params)
    for k, v in params.items():
        out[k] = float(v)
    return out


def _check_names(grid: Grid, field_names: Sequence[str]) -> None:
    taken = {"time", *grid.axes}
    for f in field_names:
        if f in taken:
            raise ValueError(f"field name {f!r} clashes with a coordinate name")
    if len(set(field_names)) != len(field_names):
        raise ValueError("field names must be distinct")


def build_dataset(
    grid: Grid,
    field_names: Sequence[str],
    times: Sequence[float] | np.ndarray,
    frames: np.ndarray,
    *,
    params: Mapping[str, float] | None = None,
    attrs: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """A result Dataset from interior ``frames`` of shape ``(n_times, n_fields, *grid.shape)``."""
    _check_names(grid, field_names)
    frames = np.asarray(frames, dtype=float).reshape(len(times), len(field_names), *grid.shape)
    dims = ("time", *grid.axes)
    data = {f: (dims, frames[:, k]) for k, f in enumerate(field_names)}
    coords = {"time": np.asarray(times, dtype=float)}
    coords.update({a: grid.coords(a) for a in grid.axes})
    import xarray as xr

    return xr.Dataset(data, coords=coords, attrs=result_attrs(params, attrs))


class SnapshotWriter:
    """Base: ``write(t, y)`` takes a padded state (``(n_fields, *padded_shape)``) and stores
    the interior of every field as one frame; ``dataset()`` gives what was written."""

    def __init__(self, grid: Grid, field_names: Sequence[str], params=None, attrs=None):
        _check_names(grid, field_names)
        self.grid = grid
        self.field_names = tuple(field_names)
        self.attrs = result_attrs(params, attrs)
        self.frames = 0
        self._index = grid.interior if grid.dim else ()

    def interior(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y)
        if y.shape[0] != len(self.field_names):
            raise ValueError(f"state has {y.shape[0]} fields, the writer expects {len(self.field_names)}")
        return y[(slice(None), *self._index)]

    def write(self, t: float, y: np.ndarray) -> None:
        raise NotImplementedError

    def dataset(self) -> xr.Dataset:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class MemoryWriter(SnapshotWriter):
    """Keeps frames in memory (no file)."""

    def __init__(self, grid: Grid, field_names: Sequence[str], params=None, attrs=None):
        super().__init__(grid, field_names, params, attrs)
        self._times: list[float] = []
        self._data: list[np.ndarray] = []

    def write(self, t: float, y: np.ndarray) -> None:
        self._data.append(np.array(self.interior(y), dtype=float))
        self._times.append(float(t))
        self.frames += 1

    def dataset(self) -> xr.Dataset:
        shape = (0, len(self.field_names), *self.grid.shape)
        frames = np.stack(self._data) if self._data else np.zeros(shape)
        ds = build_dataset(self.grid, self.field_names, self._times, frames)
        ds.attrs.update(self.attrs)
        return ds


class NetCDFWriter(SnapshotWriter):
    """netCDF-4 with an unlimited ``time`` dimension; synced to disk after every frame."""

    def __init__(
        self, path: str | os.PathLike, grid: Grid, field_names: Sequence[str], params=None, attrs=None,
        resume_frames: int | None = None,
    ):
        import netCDF4

        super().__init__(grid, field_names, params, attrs)
        self.path = Path(path)
        if resume_frames is not None and self.path.exists():
            # continue a stopped run: frames past resume_frames are overwritten
            self._nc = netCDF4.Dataset(self.path, "a")
            missing = [f for f in ("time", *self.field_names) if f not in self._nc.variables]
            if missing:
                self._nc.close()
                raise ResultFileError(f"cannot resume into {self.path}: it has no {', '.join(missing)}")
            self.frames = min(resume_frames, len(self._nc.dimensions["time"]))
            return
        self._nc = netCDF4.Dataset(self.path, "w", format="NETCDF4")
        nc = self._nc
        nc.createDimension("time", None)
        nc.createVariable("time", "f8", ("time",))
        for a in grid.axes:
            nc.createDimension(a, grid.n[grid.index(a)])
            v = nc.createVariable(a, "f8", (a,))
            v[:] = grid.coords(a)
        dims = ("time", *grid.axes)
        chunks = (1, *grid.shape) if grid.dim else None
        for f in self.field_names:
            nc.createVariable(f, "f8", dims, chunksizes=chunks)
        nc.setncatts(self.attrs)
        nc.sync()

    def write(self, t: float, y: np.ndarray) -> None:
        data = self.interior(y)
        k = self.frames
        with deferred_interrupt():
            for i, f in enumerate(self.field_names):
                self._nc.variables[f][k] = data[i]
            self._nc.variables["time"][k] = float(t)
            self._nc.sync()
            self.frames += 1

    def dataset(self) -> xr.Dataset:
        self.close()
        with open_result(self.path) as ds:
            return ds.load()

    def close(self) -> None:
        if self._nc.isopen():
            self._nc.close()


class ZarrWriter(SnapshotWriter):
    """A zarr store appended along ``time`` one frame per write (through xarray)."""

    def __init__(
        self, path: str | os.PathLike, grid: Grid, field_names: Sequence[str], params=None, attrs=None,
        resume_frames: int | None = None,
    ):
        super().__init__(grid, field_names, params, attrs)
        self.path = Path(path)
        if resume_frames is not None and self.path.exists():
            import xarray as xr

            with xr.open_zarr(self.path, consolidated=False) as old:
                n = int(old.sizes["time"])
                keep = old.isel(time=slice(0, resume_frames)).load() if n > resume_frames else None
            if keep is not None:  # drop frames written after the checkpoint
                keep.to_zarr(self.path, mode="w", consolidated=False)
            self.frames = min(resume_frames, n)

    def write(self, t: float, y: np.ndarray) -> None:
        frame = self.interior(y)[None]
        ds = build_dataset(self.grid, self.field_names, [float(t)], frame)
        ds.attrs.update(self.attrs)
        with deferred_interrupt():
            if self.frames == 0:
                enc = {f: {"chunks": (1, *self.grid.shape)} for f in self.field_names}
                ds.to_zarr(self.path, mode="w", encoding=enc, consolidated=False)
            else:
                ds.to_zarr(self.path, append_dim="time", consolidated=False)
            self.frames += 1

    def dataset(self) -> xr.Dataset:
        if self.frames == 0:
            return MemoryWriter(self.grid, self.field_names).dataset().assign_attrs(self.attrs)
        with open_result(self.path) as ds:
            return ds.load()


def open_writer(
    path: str | os.PathLike | None,
    grid: Grid,
    field_names: Sequence[str],
    *,
    params: Mapping[str, float] | None = None,
    attrs: Mapping[str, Any] | None = None,
    resume_frames: int | None = None,
) -> SnapshotWriter:
    """A writer for ``path``: zarr for ``*.zarr``, netCDF otherwise, memory for None.
    ``resume_frames``: continue an existing file after its first ``resume_frames`` frames
    (see :func:`eqc.runtime.driver.resume`)."""
    if path is None:
        return MemoryWriter(grid, field_names, params, attrs)
    p = Path(path)
    if p.parent and not p.parent.exists():
        raise ResultFileError(f"cannot write {p}: folder {p.parent} does not exist")
    if p.suffix == ".zarr":
        return ZarrWriter(p, grid, field_names, params, attrs, resume_frames)
    return NetCDFWriter(p, grid, field_names, params, attrs, resume_frames)


def open_result(path: str | os.PathLike) -> xr.Dataset:
    """Open a result file (netCDF or ``.zarr``) lazily; a missing or unreadable one raises
    :class:`ResultFileError`."""
    import xarray as xr

    p = Path(path)
    if not p.exists():
        raise ResultFileError(f"no such file: {p}", "give the path of a result written by `eqc run -o`")
    try:
        if p.suffix == ".zarr" or p.is_dir():
            return xr.open_zarr(p, consolidated=False)
        return xr.open_dataset(p, engine="netcdf4")
    except Exception as exc:  # any reader failure means: not a result file
        raise ResultFileError(
            f"{p} is not a readable netCDF or zarr result ({type(exc).__name__}: {exc})",
            "eqc reads the .nc / .zarr files that `eqc run -o` writes",
        ) from None
