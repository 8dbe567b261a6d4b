"""Rule sets for the e-graph, one module per set."""
