# Viscous Burgers' equation u_t + u u_x = nu u_xx with nu = 0.01/pi on [-1, 1], zero
# Dirichlet ends and u0 = -sin(pi x): a steep front forms at x = 0 near t = 0.3.
# Source: M. Raissi, P. Perdikaris & G. E. Karniadakis, "Physics-informed neural
# networks", J. Comput. Phys. 378 (2019) 686, section 3.1.
# PINN defaults (train line): 8192 Sobol points grown by RAR-D, 6000 Adam + 5000 L-BFGS steps:
# relative L2 4.5e-4 / 4.1e-4 (seeds 0 / 1) against the Cole–Hopf solution in 768 / 860 s
# on 2 CPU cores (Taylor-mode derivatives, 2026-12-02). With 3000 Adam steps: 5.0e-4 in
# ~700 s (3.8e-4 in 930 s with the earlier per-point derivatives: same maths, other
# rounding; L-BFGS stops on a float32 plateau near step 4700, and float64 L-BFGS gave
# 5.2e-4); with 2048 fixed-count points and 5000 + 500 steps it stalled at 7.6e-2.
# Stability: 4 nu dt/h^2 = 4 * 0.00318 * 1e-3 * 256^2 = 0.83, dt/h = 0.26 (RK4).
model burgers_1d "Viscous Burgers' equation (Raissi et al. 2019)"

domain x in [-1, 1]
grid 512

param nu = 0.01/pi "viscosity"

field u

dt(u) = -u*d(u, x) + nu*lap(u)

bc u = 0 at x = -1
bc u = 0 at x = 1

init u = -sin(pi*x)

solve t in [0, 1] step 1e-3 method rk4 save every 0.05
train pinn width 64 depth 4 steps 6000 points 8192 sampler rar_d lbfgs 5000
