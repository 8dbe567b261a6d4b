"""LLVM proper (``llvmlite.binding``): the target machine, verification, the O3 pipeline
of the new pass manager, the in-process JIT and object files for shared libraries.

The target is the host CPU with its features, so the loop vectoriser uses the machine's
SIMD width (AVX2/AVX-512 where present). Nothing here touches the floating-point
environment: no ``-ffast-math`` start files, no MXCSR writes, so denormals keep working
in the rest of the process.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import llvmlite.binding as llvm
from llvmlite import ir

__all__ = ["target_machine", "optimise", "jit", "emit_object", "load_object", "Jitted"]

_LOCK = threading.RLock()
_INITIALISED = False


def _init() -> None:
    global _INITIALISED
    with _LOCK:
        if not _INITIALISED:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            _INITIALISED = True


def target_machine(cpu: str = "host", opt: int = 3, pic: bool = False) -> llvm.TargetMachine:
    """A target machine for ``cpu`` ("host": this machine's CPU and features)."""
    _init()
    target = llvm.Target.from_default_triple()
    if cpu == "host":
        name, features = llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()
    else:
        name, features = cpu, ""
    return target.create_target_machine(
        cpu=name, features=features, opt=opt, reloc="pic" if pic else "default",
        codemodel="default" if pic else "jitdefault", jit=not pic,
    )


def parse(module: ir.Module, tm: llvm.TargetMachine) -> llvm.ModuleRef:
    """Parse and verify the textual IR of ``module`` for ``tm``."""
    module.triple = tm.triple
    module.data_layout = str(tm.target_data)
    ref = llvm.parse_assembly(str(module))
    ref.verify()
    return ref


def optimise(ref: llvm.ModuleRef, tm: llvm.TargetMachine, opt: int = 3) -> None:
    """Run the new pass manager's default ``O<opt>`` pipeline (vectorisers on)."""
    pto = llvm.create_pipeline_tuning_options(speed_level=opt)
    pto.loop_vectorization = opt >= 2
    pto.slp_vectorization = opt >= 2
    pto.loop_unrolling = opt >= 2
    pb = llvm.create_pass_builder(tm, pto)
    mpm = pb.getModulePassManager()
    mpm.run(ref, pb)


@dataclass
class Jitted:
    """A JIT-compiled module; keep it alive as long as its function addresses are used.
    ``object_path``: its object file in the disk cache (None without a cache)."""

    engine: llvm.ExecutionEngine
    ref: llvm.ModuleRef
    object_path: Path | None = None

    def address(self, name: str) -> int:
        addr = self.engine.get_function_address(name)
        if not addr:
            raise KeyError(name)
        return addr


def _cache_key(text: str, tm: llvm.TargetMachine, cpu: str, opt: int) -> str:
    import llvmlite

    features = llvm.get_host_cpu_features().flatten() if cpu == "host" else ""
    name = llvm.get_host_cpu_name() if cpu == "host" else cpu
    blob = "\n".join([llvmlite.__version__, tm.triple, name, features, str(opt), text])
    return hashlib.sha256(blob.encode()).hexdigest()


def jit(module: ir.Module, cpu: str = "host", opt: int = 3, cache: Path | None = None) -> Jitted:
    """Verify, optimise and JIT ``module`` in this process.

    With a ``cache`` folder, the machine code is kept there as an object file named by the
    sha256 of the IR text, the CPU and the options, and a later call with the same IR loads
    it instead of optimising and compiling again (written atomically: temp file + rename).
    """
    with _LOCK:  # LLVM's global context: compile one module at a time
        return _jit(module, cpu, opt, cache)


def _jit(module: ir.Module, cpu: str, opt: int, cache: Path | None) -> Jitted:
    tm = target_machine(cpu, opt)
    if cache is None:
        ref = parse(module, tm)
        optimise(ref, tm, opt)
        engine = llvm.create_mcjit_compiler(ref, tm)
        engine.finalize_object()
        return Jitted(engine, ref)
    path = Path(cache) / f"{_cache_key(str(module), tm, cpu, opt)}.o"
    try:
        obj = path.read_bytes()
    except OSError:
        ref = parse(module, tm)
        optimise(ref, tm, opt)
        obj = tm.emit_object(ref)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(obj)
        os.replace(tmp, path)
    return _load(obj, tm, path)


def _load(obj: bytes, tm: llvm.TargetMachine, path: Path | None) -> Jitted:
    empty = llvm.parse_assembly(f'target triple = "{tm.triple}"')
    engine = llvm.create_mcjit_compiler(empty, tm)
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    return Jitted(engine, empty, path)


def load_object(path: Path, cpu: str = "host", opt: int = 3) -> Jitted:
    """Load an object file that :func:`jit` left in its cache (no IR, no optimisation):
    what a cached run needs to call its kernel. Raises OSError when it is gone."""
    obj = Path(path).read_bytes()
    with _LOCK:
        return _load(obj, target_machine(cpu, opt), Path(path))


def emit_object(module: ir.Module, cpu: str = "host", opt: int = 3) -> bytes:
    """Verify, optimise and compile ``module`` to a position-independent object file."""
    with _LOCK:
        tm = target_machine(cpu, opt, pic=True)
        ref = parse(module, tm)
        optimise(ref, tm, opt)
        return tm.emit_object(ref)
