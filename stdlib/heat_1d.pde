# The heat equation on the unit interval with zero Dirichlet ends. The initial sine is
# an eigenmode, so the exact solution is u = exp(-D pi^2 t) sin(pi x) — a check of
# order and accuracy. Source: any PDE text, e.g. W. A. Strauss, "Partial Differential
# Equations: An Introduction", 2nd ed., Wiley 2008, section 4.1.
# Stability: D*dt/h^2 = 0.1 * 5e-4 / (1/64)^2 = 0.2 (RK4 needs 4*D*dt/h^2 < 2.78).
model heat_1d "Heat equation, Dirichlet, decaying sine mode"

domain x in [0, 1]
grid 64

param D = 0.1 "diffusivity" [m^2/s]

field u

dt(u) = D*lap(u)

bc u = 0 at x = 0
bc u = 0 at x = 1

init u = sin(pi*x)

solve t in [0, 0.5] step 5e-4 method rk4 save every 0.05
