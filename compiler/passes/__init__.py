"""Compiler passes, one verb per module; ``eqc.compiler.pipeline`` lists them in order."""
