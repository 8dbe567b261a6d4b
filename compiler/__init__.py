"""The compiler: model IR, checks, analysis, discretisation, e-graph rewriting, lowering.

Imports no frontend, backend or runtime (checked by import-linter).
"""
