"""The standard models as ``.pde`` files (data only)."""
