"""Run a standard model, then plot the last frame and animate every frame.

    python examples/plot_and_animate.py            # writes gray_scott.nc, .png and .gif
    eqc plot gray_scott.nc -o gs.gif --field v     # the same from the command line

The runtime pieces used here (eqc.runtime.output / plotting) work on any result file
written by ``eqc run`` or ``Simulation.run(output=...)``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display needed

from eqc.runtime.output import open_result  # noqa: E402
from eqc.runtime.plotting import animate, plot_frame  # noqa: E402

import eqc  # noqa: E402


def main() -> None:
    sim = eqc.compile(eqc.load("stdlib:gray_scott"), n=(96, 96))
    sim.run(t_end=2000.0, save_every=100.0, output="gray_scott.nc")

    with open_result("gray_scott.nc") as ds:
        fig = plot_frame(ds, field="v")  # a matplotlib Figure: style it further if you like
        fig.suptitle("Gray–Scott, v at the last frame")
        fig.savefig("gray_scott.png", dpi=120)
        animate(ds, "gray_scott.gif", field=["u", "v"], fps=8)
    print("wrote gray_scott.nc, gray_scott.png, gray_scott.gif")


if __name__ == "__main__":
    main()
