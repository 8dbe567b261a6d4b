# The heat equation on a periodic unit square. The initial product of sines is an
# eigenmode: u = exp(-8 pi^2 D t) sin(2 pi x) sin(2 pi y) exactly.
# Source: W. A. Strauss, "Partial Differential Equations: An Introduction", 2nd ed.,
# Wiley 2008, chapter 4 (separation of variables).
# Stability: 8*D*dt/h^2 = 8 * 0.01 * 2e-3 * 64^2 = 0.66 (RK4 limit 2.78).
model heat_2d "Heat equation on a periodic square"

domain x in [0, 1] periodic
domain y in [0, 1] periodic
grid 64 x 64

param D = 0.01 "diffusivity"

field u

dt(u) = D*lap(u)

init u = sin(2*pi*x)*sin(2*pi*y)

solve t in [0, 1] step 2e-3 method rk4 save every 0.1
