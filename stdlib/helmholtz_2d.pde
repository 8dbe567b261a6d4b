# The Helmholtz equation lap(u) + k^2 u = q on [-1, 1]^2 with u = 0 on the boundary,
# q manufactured from u = sin(pi x) sin(4 pi y), k = 1 (a1 = 1, a2 = 4): hard for plain
# PINNs because of the stiff gradient flow.
# Source: S. Wang, Y. Teng & P. Perdikaris, "Understanding and mitigating gradient flow
# pathologies in physics-informed neural networks", SIAM J. Sci. Comput. 43 (2021) A3055,
# section 2.3.
# PINN defaults: Fourier features (64, sigma 6) for the 4 pi mode in y. Relative L2 0.51 at
# 3000 Adam + 300 L-BFGS steps and 0.68 at 10000 + 2000 (loss 39 -> 5.9), against 4.5 for
# the plain MLP at 2000 steps and 2.9 after its full 40000 + 500 (2026-12-01). Still far from
# the 3.7e-3 of LR annealing: open work; the full 40000-step run is not yet measured.
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

train pinn width 50 depth 4 steps 40000 fourier 64 fourier_sigma 6
