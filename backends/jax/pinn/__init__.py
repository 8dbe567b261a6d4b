"""The PINN half of the JAX backend: residual lowering (:mod:`.residual`), the network
(:mod:`.network`), hard constraints (:mod:`.ansatz`), the trainer (:mod:`.trainer`) and
saving/loading trained networks (:mod:`.store`)."""
