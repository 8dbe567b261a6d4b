"""Errors a running simulation can raise.

These are plain :class:`Exception` subclasses (the runtime imports no other eqc package, so
not :class:`~eqc.compiler.diagnostics.ModelError`); the CLI layer maps them to a message and
exit status 2.
"""

from __future__ import annotations

__all__ = ["SimulationError", "SimulationDiverged", "StepSizeTooSmall", "ResultFileError", "PlotError"]


class SimulationError(Exception):
    """A run that cannot go on. ``hint`` says what to do about it."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message + (f" (hint: {self.hint})" if self.hint else "")


class SimulationDiverged(SimulationError):
    """The state went NaN or infinite: names the first bad field, the time it was seen and
    the last time the state was checked finite."""

    def __init__(
        self, field: str, time: float, hint: str | None = None, what: str = "NaN/Inf",
        last_finite: float | None = None, where: str | None = None,
    ):
        since = f" (finite at t = {last_finite:.6g})" if last_finite is not None and last_finite < time else ""
        at = f"; non-finite at {where}" if where else ""
        super().__init__(f"field `{field}` became {what} by t = {time:.6g}{since}{at}", hint)
        self.field = field
        self.time = time
        self.last_finite = last_finite
        self.where = where


class StepSizeTooSmall(SimulationError):
    """An adaptive stepper's step size underflowed (the problem is too stiff or blows up)."""

    def __init__(self, time: float, dt: float, hint: str | None = None):
        super().__init__(f"adaptive step size fell to {dt:.3g} at t = {time:.6g}", hint)
        self.time = time
        self.dt = dt


class ResultFileError(Exception):
    """A result file that is missing or not an eqc result (netCDF or zarr)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class PlotError(Exception):
    """A plot that cannot be made as asked (unknown field, unsupported movie format, ...)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
