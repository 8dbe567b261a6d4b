# The Lorenz system, a three-mode truncation of Rayleigh–Bénard convection and the
# classic strange attractor (sigma = 10, rho = 28, beta = 8/3). An ODE model: no domain.
# Source: E. N. Lorenz, "Deterministic nonperiodic flow", J. Atmos. Sci. 20 (1963) 130.
model lorenz "Lorenz system"

param sigma = 10
param rho = 28
param beta = 8/3

field x, y, z

dt(x) = sigma*(y - x)
dt(y) = x*(rho - z) - y
dt(z) = x*y - beta*z

init x = 1
init y = 1
init z = 1

solve t in [0, 25] step 0.01 method rk4 save every 0.05
