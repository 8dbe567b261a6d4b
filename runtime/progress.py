"""A progress bar for time integration (rich): time reached, steps per second, ETA."""

from __future__ import annotations

import time as _time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

__all__ = ["RunProgress"]


class RunProgress:
    """Context manager: ``update(t, nsteps)`` after each chunk. Writes to stderr; a no-op
    when ``enabled`` is False."""

    def __init__(self, t0: float, t1: float, description: str = "integrating", enabled: bool = True):
        self.t0, self.t1 = t0, t1
        self.enabled = enabled
        self._start = _time.perf_counter()
        self._progress: Progress | None = None
        self._task = None
        self._description = description

    def __enter__(self) -> RunProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("t = {task.fields[t]:.4g} / {task.fields[t1]:.4g}"),
                TextColumn("{task.fields[rate]:.3g} steps/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(
                self._description, total=max(self.t1 - self.t0, 1e-300), t=self.t0, t1=self.t1, rate=0.0
            )
        return self

    def update(self, t: float, nsteps: int) -> None:
        if self._progress is None:
            return
        elapsed = max(_time.perf_counter() - self._start, 1e-9)
        self._progress.update(self._task, completed=t - self.t0, t=t, rate=nsteps / elapsed)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
