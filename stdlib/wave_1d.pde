# The wave equation u_tt = c^2 u_xx as a first-order system (u_t = v, v_t = c^2 u_xx)
# on [0, 1] with fixed ends. A standing wave: u = cos(c pi t) sin(pi x) exactly.
# Source: W. A. Strauss, "Partial Differential Equations: An Introduction", 2nd ed.,
# Wiley 2008, section 4.1.
# Stability: the centred u_xx has eigenvalues down to -4 c^2/h^2; the system's are
# imaginary, |lambda| dt = 2 c dt/h = 2 * 2e-3 * 128 = 0.51 (RK4 limit 2.83).
model wave_1d "Wave equation as a first-order system"

domain x in [0, 1]
grid 128

param c = 1.0 "wave speed"

field u, v

dt(u) = v
dt(v) = c^2*lap(u)

bc u = 0 at x = 0
bc u = 0 at x = 1
bc v = 0 at x = 0
bc v = 0 at x = 1

init u = sin(pi*x)
init v = 0

solve t in [0, 2] step 2e-3 method rk4 save every 0.05
