# The Korteweg–de Vries equation u_t + 6 u u_x + u_xxx = 0 on a periodic [0, 40], started
# from the soliton u = (c/2) sech^2(sqrt(c)/2 (x - x0)) with c = 1, x0 = 10, which
# travels at speed c without changing shape: u = (c/2) sech^2(sqrt(c)/2 (x - x0 - c t)).
# Source: D. J. Korteweg & G. de Vries, Phil. Mag. 39 (1895) 422; N. J. Zabusky &
# M. D. Kruskal, Phys. Rev. Lett. 15 (1965) 240.
# Stability: centred u_xxx has |lambda| <= 2.6/h^3 = 690; dt = 1e-3 gives 0.69 (RK4).
model kdv "Korteweg–de Vries soliton"

domain x in [0, 40] periodic
grid 256

field u

dt(u) = -6*u*d(u, x) - d(u, x, 3)

init u = 0.5/cosh(0.5*(x - 10))^2

solve t in [0, 10] step 1e-3 method rk4 save every 0.5
