"""The llvm backend: renders the kernel IR (see its modules)."""
