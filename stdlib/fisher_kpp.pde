# The Fisher–KPP equation u_t = D u_xx + r u (1 - u): a population invading empty
# space as a travelling front of speed 2 sqrt(D r). Zero-flux (Neumann) ends.
# Source: R. A. Fisher, "The wave of advance of advantageous genes", Ann. Eugenics 7
# (1937) 355; A. Kolmogorov, I. Petrovsky & N. Piskunov, Bull. Moscow Univ. (1937).
# Stability: 4 D dt/h^2 = 4 * 1 * 0.01 * (256/50)^2 = 1.05 (RK4 limit 2.78).
model fisher_kpp "Fisher–KPP travelling front"

domain x in [0, 50]
grid 256

param D = 1.0 "diffusivity"
param r = 1.0 "growth rate"

field u

dt(u) = D*lap(u) + r*u*(1 - u)

bc d(u, x) = 0 at x = 0
bc d(u, x) = 0 at x = 50

init u = 1/(1 + exp(2*(x - 5)))

solve t in [0, 10] step 0.01 method rk4 save every 0.5
