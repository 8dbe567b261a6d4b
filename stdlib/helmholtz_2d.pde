# The Helmholtz equation lap(u) + k^2 u = q on [-1, 1]^2 with u = 0 on the boundary,
# q manufactured from u = sin(pi x) sin(4 pi y), k = 1 (a1 = 1, a2 = 4): hard for plain
# PINNs because of the stiff gradient flow.
# Source: S. Wang, Y. Teng & P. Perdikaris, "Understanding and mitigating gradient flow
# pathologies in physics-informed neural networks", SIAM J. Sci. Comput. 43 (2021) A3055,
# section 2.3.
# PINN defaults: plain tanh MLP 50 x 4 (Glorot init) with the zero sides exact (distance-
# function ansatz), 20000 Adam steps on 2048 points, then 2000 L-BFGS in float64: rel. L2
# 6.1e-4 (seed 0) against the exact solution in 273 s on 2 CPU cores with Taylor-mode
# derivatives (`python benchmarks/pinn.py --models helmholtz_2d [--seed 1]`, 2026-12-02;
# 6.8e-4 / 3.8e-4 for seeds 0 / 1 in 414 / 425 s with per-point nested jvps); with
# float32 L-BFGS, which stops early, 6.3e-4 to 1.5e-3 over the same seeds and both inits.
# The classical solution on this 64 x 64 grid is itself 1.2e-2 from the exact one (second-
# order differences, 4 pi mode), so compare the PINN with the exact solution here.
model helmholtz_2d "Helmholtz equation (Wang, Teng & Perdikaris 2021)"

domain x in [-1, 1]
domain y in [-1, 1]
grid 64 x 64

param k = 1.0 "wave number"

field u

lap(u) + k^2*u = (k^2 - 17*pi^2)*sin(pi*x)*sin(4*pi*y)

bc u = 0 at x = -1
bc u = 0 at x = 1
bc u = 0 at y = -1
bc u = 0 at y = 1

train pinn width 50 depth 4 steps 20000 lbfgs 2000 lbfgs_float64 on
