"""Frontend: the ``.pde`` grammar and parser, the embedded Python DSL, model loading."""
