"""Runtime: grids, steppers, drivers, output, progress, cache. Imports no other eqc package.

Modules (docs/internals.md §4–§6):

* :mod:`.grid` — the run-time :class:`~.grid.Grid` (cell-centred, ghost cells);
* :mod:`.steppers` — Butcher tableaus, explicit RK, adaptive Dormand–Prince 5(4) with dense
  output, ETDRK4, implicit BDF/Radau (SciPy), fused backend loops,
  :func:`~.steppers.make_stepper`;
* :mod:`.spectral` — wavenumbers, Fourier symbols, periodic Poisson/constraint solves;
* :mod:`.driver` — :func:`~.driver.integrate` (save points, NaN check, progress, Ctrl-C);
* :mod:`.stability` — CFL / diffusion-number estimates and warnings;
* :mod:`.output` — xarray Datasets, netCDF/zarr snapshot writers, :func:`~.output.open_result`;
* :mod:`.checkpoint`, :mod:`.cache` — atomic writes, content hashes, the cache directory;
* :mod:`.plotting` — PNGs and animations of results (``eqc plot``);
* :mod:`.progress` — the rich progress bar of a run;
* :mod:`.errors` — :class:`~.errors.SimulationDiverged` and friends.

User-facing notes: docs/runtime.md.

Submodules are imported on use; this package imports nothing heavy.
"""
