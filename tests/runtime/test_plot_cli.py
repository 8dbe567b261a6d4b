"""`eqc plot`: PNGs of 0-, 1- and 2-D results, a GIF, and clean errors (exit 2)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from eqc.runtime.grid import Grid
from eqc.runtime.output import build_dataset
from PIL import Image

from eqc.cli import main


@pytest.fixture
def results(tmp_path):
    ts = np.linspace(0.0, 1.0, 4)
    g2 = Grid(("x", "y"), (0.0, 0.0), (1.0, 2.0), (16, 12), (True, True))
    X, Y = g2.mesh()
    fr2 = np.stack([np.stack([np.sin(2 * np.pi * X) * np.exp(-t), Y + t]) for t in ts])
    g1 = Grid(("x",), (0.0,), (1.0,), (32,), (True,))
    x = g1.coords("x")
    fr1 = np.stack([np.sin(2 * np.pi * (x - t))[None] for t in ts])
    fr0 = np.stack([np.cos(ts), np.sin(ts)], 1)
    paths = {}
    for name, g, f, fields in (("d2", g2, fr2, ["u", "v"]), ("d1", g1, fr1, ["u"]), ("d0", Grid(), fr0, ["a", "b"])):
        paths[name] = tmp_path / f"{name}.nc"
        build_dataset(g, fields, ts, f, attrs={"model": name}).to_netcdf(paths[name])
    return paths


@pytest.mark.parametrize("name", ["d0", "d1", "d2"])
def test_png_of_the_last_frame(results, tmp_path, name: str) -> None:
    out = tmp_path / f"{name}.png"
    r = CliRunner().invoke(main, ["plot", str(results[name]), "-o", str(out)])
    assert r.exit_code == 0, r.output
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size[0] > 300


def test_default_output_is_next_to_the_result(results) -> None:
    r = CliRunner().invoke(main, ["plot", str(results["d1"]), "--time", "0.3", "--field", "u"])
    assert r.exit_code == 0, r.output
    assert results["d1"].with_suffix(".png").exists()


def test_gif_has_one_frame_per_snapshot(results, tmp_path) -> None:
    out = tmp_path / "movie.gif"
    r = CliRunner().invoke(main, ["plot", str(results["d2"]), "-o", str(out), "--field", "u"])
    assert r.exit_code == 0, r.output
    with Image.open(out) as im:
        assert im.n_frames == 4


@pytest.mark.parametrize(
    "args, words",
    [
        (["missing.nc"], "no such file"),
        (["{d1}", "--field", "w"], "no field `w`"),
        (["{d1}", "--time", "5"], "outside"),
        (["{d1}", "-o", "x.bmpx"], "cannot write"),
        (["{bad}"], "not a readable"),
    ],
)
def test_user_mistakes_exit_2_without_traceback(results, tmp_path, args, words) -> None:
    bad = tmp_path / "bad.nc"
    bad.write_text("hello")
    args = [a.format(d1=results["d1"], bad=bad) for a in args]
    r = CliRunner().invoke(main, ["plot", *args])
    assert r.exit_code == 2
    assert words in r.output
    assert "Traceback" not in r.output


def test_3d_results_and_diverged_frames_still_plot(tmp_path) -> None:
    ts = np.array([0.0, 1.0])
    g3 = Grid(("x", "y", "z"), (0.0,) * 3, (1.0,) * 3, (6, 5, 4), (True,) * 3)
    X, Y, Z = g3.mesh()
    fr3 = np.stack([(X + Y + Z + t)[None] for t in ts])
    build_dataset(g3, ["u"], ts, fr3).to_netcdf(tmp_path / "d3.nc")
    g1 = Grid(("x",), (0.0,), (1.0,), (8,), (True,))
    fr1 = np.stack([np.ones((1, 8)), np.full((1, 8), np.nan)])  # a run that blew up
    build_dataset(g1, ["u"], ts, fr1).to_netcdf(tmp_path / "nan.nc")
    for name in ("d3", "nan"):
        r = CliRunner().invoke(main, ["plot", str(tmp_path / f"{name}.nc"), "-o", str(tmp_path / f"{name}.png")])
        assert r.exit_code == 0, r.output
        assert (tmp_path / f"{name}.png").stat().st_size > 1000


def test_mp4_needs_ffmpeg(results, tmp_path) -> None:
    import shutil

    out = tmp_path / "movie.mp4"
    r = CliRunner().invoke(main, ["plot", str(results["d1"]), "-o", str(out)])
    if shutil.which("ffmpeg"):
        assert r.exit_code == 0 and out.stat().st_size > 0
    else:
        assert r.exit_code == 2 and "ffmpeg" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("shape", [(40,), (10, 6)])
def test_many_fields_get_one_image_and_the_means(tmp_path, shape) -> None:
    """More fields than MAX_PANELS: one image of every field (a row each, scaled to its own
    range over the run) and the spatial means against time, not a panel per field."""
    from eqc.runtime.plotting import MAX_PANELS, plot_frame

    nf = MAX_PANELS + 4
    axes = ("x", "y")[: len(shape)]
    g = Grid(axes, (0.0,) * len(shape), (1.0,) * len(shape), shape, (True,) * len(shape))
    ts = np.linspace(0.0, 1.0, 3)
    rng = np.random.default_rng(0)
    scale = (10.0 ** np.arange(nf)).reshape(1, nf, *(1,) * len(shape))  # fields of very different sizes
    frames = rng.uniform(size=(3, nf, *shape)) * scale
    fields = [f"c{k}" for k in range(nf)]
    ds = build_dataset(g, fields, ts, frames)
    fig = plot_frame(ds, time=0.5)
    assert len(fig.axes) == 3  # the image, the means, the colour bar
    img = fig.axes[0].images[0].get_array()
    every = frames.reshape(3, nf, -1)
    lo, hi = every.min(axis=(0, 2)), every.max(axis=(0, 2))
    np.testing.assert_allclose(img, (every[1] - lo[:, None]) / (hi - lo)[:, None], rtol=1e-12)
    means = [line.get_ydata() for line in fig.axes[1].lines[:nf]]
    np.testing.assert_allclose(np.stack(means, 1), every.mean(axis=2), rtol=1e-12)
    path = tmp_path / "many.nc"
    ds.to_netcdf(path)
    r = CliRunner().invoke(main, ["plot", str(path), "-o", str(tmp_path / "many.gif")])
    assert r.exit_code == 0, r.output
    with Image.open(tmp_path / "many.gif") as im:
        assert im.n_frames == 3
