"""Pictures of results: a PNG of one frame and animations over time.

What is drawn depends on the result's shape:

* no spatial axis (an ODE): every field against time, and a phase portrait of the first
  two fields;
* one axis: every field against x at the chosen time, with a space–time image beside it;
* two axes: one image per field (``imshow``, colour bar), at the chosen time;
* three axes: the mid-plane of the last axis;
* more than :data:`MAX_PANELS` fields on a grid (a reaction network at every point): one
  image of every field over space at the chosen time (a row per field, each scaled to its
  own range) and every field's spatial mean against time, instead of a panel per field
  (``--field`` picks fields to draw one by one).

Figures are built with :class:`matplotlib.figure.Figure` and the Agg canvas (no pyplot, no
global state, no display). Movies: ``.gif`` through Pillow, ``.mp4`` through ffmpeg when it
is installed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from .errors import PlotError

__all__ = ["result_fields", "plot_frame", "animate", "save_plot", "MAX_PANELS"]

_MOVIES = (".gif", ".mp4")
# Beyond this many fields a gridded result gets the two-panel summary: a panel per field
# took 21 s to lay out and draw for 50 fields on this machine, and no one reads 100 panels.
MAX_PANELS = 8


def result_fields(ds: xr.Dataset, field: str | Sequence[str] | None = None) -> list[str]:
    """The field variables of a result (dims starting with ``time``), or the chosen ones."""
    fields = [str(v) for v in ds.data_vars if ds[v].dims[:1] == ("time",)]
    if not fields:
        raise PlotError("the result has no field with a time dimension", "is this a file `eqc run` wrote?")
    if field is None:
        return fields
    chosen = [field] if isinstance(field, str) else list(field)
    for f in chosen:
        if f not in fields:
            raise PlotError(f"no field `{f}` in the result", f"fields: {', '.join(fields)}")
    return chosen


def _time_index(ds: xr.Dataset, time: float | None) -> int:
    times = np.asarray(ds["time"].values, dtype=float)
    if times.size == 0:
        raise PlotError("the result has no frames", "the run stopped before its first snapshot")
    if time is None:
        return times.size - 1
    if time < times[0] - 1e-12 or time > times[-1] + 1e-12:
        raise PlotError(f"time {time:g} is outside the result's [{times[0]:g}, {times[-1]:g}]")
    return int(np.argmin(np.abs(times - time)))


def _spatial_dims(ds: xr.Dataset, fields: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(d) for d in ds[fields[0]].dims[1:])


def _edges(c: np.ndarray) -> tuple[float, float]:
    """Outer cell edges of cell-centred coordinates (docs/grid.md)."""
    h = float(c[1] - c[0]) if c.size > 1 else 1.0
    return float(c[0]) - h / 2, float(c[-1]) + h / 2


def _limits(v: np.ndarray) -> tuple[float, float]:
    """Colour limits: symmetric about 0 when the data has both signs."""
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        return -1.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if lo < 0 < hi:
        m = max(-lo, hi)
        return -m, m
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def _cmap(vmin: float, vmax: float) -> str:
    return "RdBu_r" if vmin < 0 < vmax and abs(vmin + vmax) < 1e-12 * max(1.0, vmax) else "viridis"


def _figure(nrows: int, ncols: int, width: float = 5.0, height: float = 3.6):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = np.atleast_2d(fig.subplots(nrows, ncols, squeeze=False))
    return fig, axes


def _title(ds: xr.Dataset) -> str:
    name = ds.attrs.get("model", "")
    return f"{name}  " if name else ""


class _Frame:
    """A figure for a result whose ``draw(i)`` updates it to time index ``i``."""

    def __init__(self, ds: xr.Dataset, fields: Sequence[str], movie: bool = False):
        self.ds, self.fields = ds, list(fields)
        self.dims = _spatial_dims(ds, fields)
        self.times = np.asarray(ds["time"].values, dtype=float)
        self.data = {f: np.asarray(ds[f].values, dtype=float) for f in self.fields}
        if len(self.dims) == 3:
            mid = self.data[self.fields[0]].shape[-1] // 2
            self.data = {f: v[..., mid] for f, v in self.data.items()}
            self.dims = self.dims[:2]
        self.many = bool(self.dims) and len(self.fields) > MAX_PANELS
        builder = self._many if self.many else {0: self._ode, 1: self._line, 2: self._image}[len(self.dims)]
        builder(movie)

    # -- ODE ------------------------------------------------------------------------------
    def _ode(self, movie: bool) -> None:
        phase = len(self.fields) >= 2
        self.fig, axes = _figure(1, 2 if phase else 1)
        ax = axes[0, 0]
        self.markers = []
        for f in self.fields:
            (line,) = ax.plot(self.times, self.data[f], label=f)
            (m,) = ax.plot([], [], "o", color=line.get_color())
            self.markers.append(m)
        ax.set_xlabel("time")
        ax.legend(loc="best")
        self.phase_marker = None
        if phase:
            a, b = self.fields[:2]
            pax = axes[0, 1]
            pax.plot(self.data[a], self.data[b], lw=1)
            (self.phase_marker,) = pax.plot([], [], "o", color="C3")
            pax.set_xlabel(a)
            pax.set_ylabel(b)
            pax.set_title("phase portrait")
            pax.set_aspect("equal", adjustable="datalim")
        self.title = ax.set_title("")

    # -- 1-D ------------------------------------------------------------------------------
    def _line(self, movie: bool) -> None:
        x = np.asarray(self.ds[self.dims[0]].values, dtype=float)
        spacetime = len(self.times) > 1 and not movie
        self.fig, axes = _figure(len(self.fields), 2 if spacetime else 1)
        self.lines = []
        for r, f in enumerate(self.fields):
            ax = axes[r, 0]
            v = self.data[f]
            (line,) = ax.plot(x, v[-1])
            finite = v[np.isfinite(v)]
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
            pad = 0.05 * (hi - lo) or 0.5
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_xlabel(self.dims[0])
            ax.set_ylabel(f)
            self.lines.append((ax, line))
            if spacetime:
                sax = axes[r, 1]
                im = sax.imshow(
                    v, origin="lower", aspect="auto", cmap="viridis",
                    extent=(*_edges(x), self.times[0], self.times[-1]),
                )
                self.fig.colorbar(im, ax=sax, label=f)
                sax.set_xlabel(self.dims[0])
                sax.set_ylabel("time")
                sax.set_title(f"{f}(t, {self.dims[0]})")

    # -- 2-D ------------------------------------------------------------------------------
    def _image(self, movie: bool) -> None:
        xd, yd = self.dims
        x = np.asarray(self.ds[xd].values, dtype=float)
        y = np.asarray(self.ds[yd].values, dtype=float)
        self.fig, axes = _figure(1, len(self.fields), width=4.6, height=4.0)
        self.images = []
        self.movie = movie
        for c, f in enumerate(self.fields):
            ax = axes[0, c]
            v = self.data[f]
            vmin, vmax = _limits(v)
            # arrays are (x, y): transpose so x runs horizontally
            im = ax.imshow(
                v[-1].T, origin="lower", cmap=_cmap(vmin, vmax), vmin=vmin, vmax=vmax,
                extent=(*_edges(x), *_edges(y)), aspect="equal",
            )
            self.fig.colorbar(im, ax=ax, shrink=0.85)
            ax.set_xlabel(xd)
            ax.set_ylabel(yd)
            self.images.append((ax, im))

    # -- many fields on a grid ------------------------------------------------------------------
    def _scaled_rows(self, i: int) -> np.ndarray:
        """Every field at time index ``i`` flattened over space, each row scaled to [0, 1]
        over the whole run (the fields of a network differ by orders of magnitude)."""
        rows = np.stack([self.data[f][i].reshape(-1) for f in self.fields])
        return (rows - self.row_lo) / self.row_span

    def _many(self, movie: bool) -> None:
        every = np.stack([self.data[f].reshape(len(self.times), -1) for f in self.fields], axis=1)  # (t, f, n)
        with np.errstate(all="ignore"):
            self.row_lo = np.nanmin(every, axis=(0, 2))[:, None]
            span = np.nanmax(every, axis=(0, 2))[:, None] - self.row_lo
        self.row_span = np.where(np.isfinite(span) & (span > 0), span, 1.0)
        self.fig, axes = _figure(1, 2, width=6.0, height=0.12 * len(self.fields) + 2.6)
        ax, max_ = axes[0, 0], axes[0, 1]
        space = " x ".join(self.dims)
        extent = None
        if len(self.dims) == 1:  # along x in its own units; 2-D and up: flattened point index
            extent = (*_edges(np.asarray(self.ds[self.dims[0]].values, dtype=float)), -0.5, len(self.fields) - 0.5)
        self.many_image = ax.imshow(self._scaled_rows(-1), aspect="auto", interpolation="nearest",
                                    cmap="viridis", vmin=0.0, vmax=1.0, origin="lower", extent=extent)
        self.fig.colorbar(self.many_image, ax=ax, label="each field scaled to its range over the run")
        ticks = np.unique(np.linspace(0, len(self.fields) - 1, min(len(self.fields), 25)).round().astype(int))
        ax.set_yticks(ticks, [self.fields[k] for k in ticks])
        ax.set_xlabel(f"grid point ({space}, flattened)" if len(self.dims) > 1 else space)
        with np.errstate(all="ignore"):
            means = np.nanmean(every, axis=2)  # (t, f)
        for k, f in enumerate(self.fields):
            max_.plot(self.times, means[:, k], lw=1, label=f if k < 10 else None)
        max_.set_xlabel("time")
        max_.set_ylabel(f"mean over {space}")
        max_.legend(loc="best", fontsize="small", title=f"first 10 of {len(self.fields)}")
        self.time_line = max_.axvline(self.times[-1], color="0.5", lw=1, ls="--")
        self.many_ax = ax

    def draw(self, i: int) -> None:
        t = self.times[i]
        label = f"{_title(self.ds)}t = {t:.4g}"
        if self.many:
            self.many_image.set_data(self._scaled_rows(i))
            self.time_line.set_xdata([t, t])
            self.many_ax.set_title(f"{len(self.fields)} fields   {label}")
        elif len(self.dims) == 0:
            for f, m in zip(self.fields, self.markers, strict=True):
                m.set_data([t], [self.data[f][i]])
            if self.phase_marker is not None:
                a, b = self.fields[:2]
                self.phase_marker.set_data([self.data[a][i]], [self.data[b][i]])
            self.title.set_text(label)
        elif len(self.dims) == 1:
            for f, (ax, line) in zip(self.fields, self.lines, strict=True):
                line.set_ydata(self.data[f][i])
                ax.set_title(f"{f}   {label}")
        else:
            for f, (ax, im) in zip(self.fields, self.images, strict=True):
                im.set_data(self.data[f][i].T)
                if not self.movie:  # a still frame uses its own colour range
                    im.set_clim(*_limits(self.data[f][i]))
                ax.set_title(f"{f}   {label}")


def plot_frame(ds: xr.Dataset, field: str | Sequence[str] | None = None, time: float | None = None):
    """A :class:`~matplotlib.figure.Figure` of the frame nearest ``time`` (default: last)."""
    fields = result_fields(ds, field)
    frame = _Frame(ds, fields)
    frame.draw(_time_index(ds, time))
    return frame.fig


def animate(
    ds: xr.Dataset, path: str | os.PathLike, field: str | Sequence[str] | None = None,
    fps: int = 10, dpi: int = 80, max_frames: int = 300,
) -> Path:
    """Write a movie of every frame (at most ``max_frames``, evenly picked) to ``path``
    (``.gif`` with Pillow, ``.mp4`` with ffmpeg)."""
    from matplotlib import animation

    path = Path(path)
    fields = result_fields(ds, field)
    n = int(ds.sizes.get("time", 0))
    if n == 0:
        raise PlotError("the result has no frames", "the run stopped before its first snapshot")
    if path.suffix == ".gif":
        writer = animation.PillowWriter(fps=fps)
    elif path.suffix == ".mp4":
        if not animation.writers.is_available("ffmpeg"):
            raise PlotError("writing .mp4 needs ffmpeg, which is not installed",
                            "install ffmpeg (e.g. apt-get install ffmpeg), or write a .gif")
        writer = animation.FFMpegWriter(fps=fps)
    else:
        raise PlotError(f"cannot write a movie as {path.suffix or 'a file without suffix'}", "use .gif or .mp4")
    frame = _Frame(ds, fields, movie=True)
    picks = np.unique(np.linspace(0, n - 1, min(n, max_frames)).round().astype(int))
    with writer.saving(frame.fig, str(path), dpi):
        for i in picks:
            frame.draw(int(i))
            writer.grab_frame()
    return path


def save_plot(
    ds: xr.Dataset, path: str | os.PathLike, field: str | Sequence[str] | None = None,
    time: float | None = None, fps: int = 10,
) -> Path:
    """``path`` ending in .gif/.mp4: a movie; otherwise an image (png, pdf, svg, ...)."""
    path = Path(path)
    if path.suffix in _MOVIES:
        return animate(ds, path, field, fps=fps)
    if path.suffix.lower() not in (".png", ".pdf", ".svg", ".jpg", ".jpeg"):
        raise PlotError(f"cannot write a picture as {path.suffix or 'a file without suffix'}",
                        "use .png, .pdf, .svg, or .gif/.mp4 for a movie")
    fig = plot_frame(ds, field, time)
    fig.savefig(path, dpi=110)
    return path
