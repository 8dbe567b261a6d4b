"""Neural operators in JAX: the FNO (:mod:`.fno`), its PINO physics loss (:mod:`.pino`),
training (:mod:`.train`) and the saved-operator file (:mod:`.artifact`)."""
