"""FFT backends for the runtime's spectral parts (ETDRK4, periodic constraint solves):
a real forward + inverse transform over the spatial axes, numpy.fft vs scipy.fft (1 and 2
workers), on the state shapes ETDRK4 sees.

    nice python benchmarks/fft_backends.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import scipy.fft as sfft

SHAPES = [(1, 256), (1, 4096), (2, 128, 128), (2, 256, 256), (1, 512, 512)]


def roundtrip_numpy(a, axes, s):
    return np.fft.irfftn(np.fft.rfftn(a, axes=axes), s=s, axes=axes)


def roundtrip_scipy(workers):
    def f(a, axes, s):
        return sfft.irfftn(sfft.rfftn(a, axes=axes, workers=workers), s=s, axes=axes, workers=workers)

    return f


def median_time(f, a, axes, s, repeat):
    f(a, axes, s)
    times = []
    for _ in range(repeat):
        tic = time.perf_counter()
        f(a, axes, s)
        times.append(time.perf_counter() - tic)
    return float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    a = ap.parse_args()
    impls = {"numpy.fft": roundtrip_numpy, "scipy.fft w=1": roundtrip_scipy(1), "scipy.fft w=2": roundtrip_scipy(2)}
    rng = np.random.default_rng(0)
    print(f"rfftn+irfftn round trip, median of {a.repeat}, milliseconds (ratio = numpy / other)")
    print(f"{'shape':16s}" + "".join(f"{n:>16s}" for n in impls) + f"{'ratio w=1':>11s}{'ratio w=2':>11s}")
    for shape in SHAPES:
        x = rng.standard_normal(shape)
        axes = tuple(range(1, len(shape)))
        s = shape[1:]
        ms = {n: 1e3 * median_time(f, x, axes, s, a.repeat) for n, f in impls.items()}
        for f in impls.values():  # same numbers from every backend
            np.testing.assert_allclose(f(x, axes, s), x, atol=1e-12)
        base = ms["numpy.fft"]
        print(f"{str(shape):16s}" + "".join(f"{v:16.3f}" for v in ms.values())
              + f"{base / ms['scipy.fft w=1']:11.2f}{base / ms['scipy.fft w=2']:11.2f}")
    print("command: nice python " + " ".join(sys.argv))


if __name__ == "__main__":
    main()
