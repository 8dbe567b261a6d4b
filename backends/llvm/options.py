"""Options of the LLVM backend: one frozen dataclass, passed explicitly (STYLE.md rule 5)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LLVMOptions", "SAFE_FASTMATH", "default_threads", "cache_kib", "chunk_budgets_kib"]

# Fast-math flags that let LLVM contract a*b+c into an FMA and reassociate add/mul chains,
# but never ``nnan``/``ninf``: those would let it fold away the NaN a blow-up produces and
# hide it from the runtime's NaN check. (LLVM LangRef, "Fast-Math Flags".)
SAFE_FASTMATH: tuple[str, ...] = ("contract", "reassoc", "nsz", "arcp")


def default_threads() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


@functools.cache
def cache_kib() -> dict[int, int]:
    """This machine's data/unified CPU cache sizes by level in KiB (Linux sysfs; {} elsewhere)."""
    out: dict[int, int] = {}
    try:
        for d in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*"):
            if (d / "type").read_text().strip() == "Instruction":
                continue
            text = (d / "size").read_text().strip().upper()
            scale = {"K": 1, "M": 1024}.get(text[-1:])
            out[int((d / "level").read_text())] = int(text[:-1]) * scale if scale else int(text) // 1024
    except (OSError, ValueError):
        return {}
    return out


def chunk_budgets_kib(threads: int) -> tuple[int, int, int]:
    """The pipelined loop's (chunk budget when the states stream from memory, budget when
    they fit in cache, the states' size that counts as fitting), per thread, in KiB: half
    the last-level cache shared out over the threads (512 KiB - 4 MiB), the L2 (256 KiB -
    2 MiB), a quarter of the last-level cache. On the 2-core EPYC (1 MiB L2, 32 MiB L3)
    these are 4 MiB / 1 MiB / 8 MiB, picked from runs of 0.25-16 MiB chunks for heat and
    Gray-Scott at 256^2-2048^2 on 2 threads (Gray-Scott 256^2 Euler: 4 MiB chunks 0.86x
    the staged loop, 1 MiB 1.01x; heat 512^2: 1 MiB 1.23x, 4 MiB 1.03x; heat 1024^2, at
    the boundary: 0.96-1.17x whichever budget, over three runs); how they scale to other
    caches is a guess, not measured."""
    sizes = cache_kib()
    llc = max(sizes.values(), default=8192)
    l2 = sizes.get(2, 1024)
    return max(512, min(4096, llc // (2 * max(1, threads)))), max(256, min(2048, l2)), llc // 4


@dataclass(frozen=True, slots=True)
class LLVMOptions:
    """How the LLVM backend builds and runs a kernel.

    ``threads``: row blocks run on this many threads (None: every core the process may
    use). ``fastmath``: the LLVM fast-math flags put on floating-point instructions.
    ``opt``: the optimisation level (0-3). ``cpu``: the target CPU ("host" or an LLVM CPU
    name such as "x86-64" for a portable shared library). ``min_parallel_cells``: below
    this many interior cells a fused-step call runs on the calling thread only (fewer for a
    kernel of more than ~16 cycles per point, :func:`~.kernel.min_cells`; a bare
    right-hand side call, which pays the thread dispatch every call, below 8x as many).
    ``cache``: keep machine code on disk (``$EQC_CACHE_DIR/llvm``), keyed by a content hash.
    ``pipeline``, ``fuse_steps``, ``chunk_rows``, ``chunk_kib``: the fused loop of a 1-2
    axis kernel (periodic, or with walls across x) carries each chunk of rows through all stages of ``fuse_steps``
    steps (0: automatic) in cache-sized slabs of about ``chunk_kib`` KiB per thread (0:
    :func:`chunk_budgets_kib`); a kernel whose points read no neighbour carries chunks of
    ``chunk_rows`` rows (0: the L2 budget) through every step of a call, in place;
    ``pipeline=False`` runs stage by stage (:class:`~.pipeline.Pipelining`).
    """

    threads: int | None = None
    fastmath: tuple[str, ...] = SAFE_FASTMATH
    opt: int = 3
    cpu: str = "host"
    min_parallel_cells: int = 32768
    cache: bool = True
    pipeline: bool = True
    fuse_steps: int = 0
    chunk_rows: int = 0
    chunk_kib: int = 0

    def __post_init__(self) -> None:
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be >= 1")
        if not 0 <= self.opt <= 3:
            raise ValueError("opt must be between 0 and 3")
        bad = {"nnan", "ninf", "fast"} & set(self.fastmath)
        if bad:
            raise ValueError(f"fast-math flags {sorted(bad)} would hide NaN/Inf from blow-up detection")
        if not 0 <= self.fuse_steps <= 16 or self.chunk_rows < 0 or self.chunk_kib < 0:
            raise ValueError("fuse_steps must be 0-16 (each step is unrolled), chunk_rows and chunk_kib >= 0")

    @property
    def nthreads(self) -> int:
        return self.threads if self.threads is not None else default_threads()

    @classmethod
    def from_any(cls, options: object | None) -> LLVMOptions:
        """These options from ``options``: an :class:`LLVMOptions`, None (defaults), or the
        generic ``BackendOptions`` (``parallel=False``: one thread; ``fastmath=False``: no
        fast-math flags; a ``threads`` attribute if it has one)."""
        if options is None:
            return cls()
        if isinstance(options, cls):
            return options
        threads = getattr(options, "threads", None)
        if getattr(options, "parallel", True) is False:
            threads = 1
        fastmath = SAFE_FASTMATH if getattr(options, "fastmath", True) else ()
        return cls(threads=threads, fastmath=fastmath, cache=bool(getattr(options, "cache", True)))
