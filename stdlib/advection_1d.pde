# Linear advection u_t + beta u_x = 0 with beta = 30 on a periodic [0, 2 pi]: the exact
# solution is u = sin(x - beta t). The "convection" failure mode of PINNs.
# Source: A. S. Krishnapriyan, A. Gholami, S. Zhe, R. M. Kirby & M. W. Mahoney,
# "Characterizing possible failure modes in physics-informed neural networks",
# NeurIPS 2021.
# Stability: beta*dt/h = 30 * 1e-3 * 256/(2 pi) = 1.22 (RK4 limit 2.83 for centred u_x).
model advection_1d "Linear advection, beta = 30 (PINN failure mode)"

domain x in [0, 2*pi] periodic
grid 256

param beta = 30 "advection speed"

field u

dt(u) = -beta*d(u, x)

init u = sin(x)

solve t in [0, 1] step 1e-3 method rk4 save every 0.05
train pinn width 64 depth 4 steps 5000
