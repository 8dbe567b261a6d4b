"""IR levels: the model (``model``), its symbols (``symbols``) and the kernel IR (``kernel``)."""

from .kernel import KernelAxis, KernelIR, access, decode_access, verify_kernel
from .model import (
    Axis,
    BoundaryCondition,
    Equation,
    Field,
    InitialCondition,
    Let,
    Model,
    Param,
    Solve,
    Train,
)

__all__ = [
    "Axis",
    "BoundaryCondition",
    "Equation",
    "Field",
    "InitialCondition",
    "Let",
    "Model",
    "Param",
    "Solve",
    "Train",
    "KernelAxis",
    "KernelIR",
    "access",
    "decode_access",
    "verify_kernel",
]
