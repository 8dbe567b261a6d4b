"""A progress bar for training loops (rich): steps, steps/s, ETA and the current loss
terms. Disabled (a no-op) when not wanted or when output is not a terminal."""

from __future__ import annotations

from typing import Any

__all__ = ["TrainingProgress"]


class TrainingProgress:
    """``with TrainingProgress(total, "window 1/3") as p: p.update(step, {"pde": 1e-3})``."""

    def __init__(self, total: int, description: str = "training", enabled: bool = True):
        self.total = total
        self.description = description
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> TrainingProgress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), TextColumn("{task.fields[terms]}"),
                transient=False,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(self.description, total=self.total, rate="", terms="")
        return self

    def update(self, completed: int, terms: dict[str, float], rate: float | None = None) -> None:
        if self._progress is None:
            return
        text = "  ".join(f"{k} {v:.2e}" for k, v in terms.items())
        self._progress.update(
            self._task, completed=completed, terms=text, rate="" if rate is None else f"{rate:.0f} it/s"
        )

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
