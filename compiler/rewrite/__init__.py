"""E-graph rewriting of kernel right-hand sides under a CPU-cycle cost model."""
