"""Runtime: grids, steppers, drivers, output, progress, cache. Imports no other eqc package."""
