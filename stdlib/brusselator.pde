# The Brusselator reaction–diffusion system in 2D: u_t = Du lap(u) + a - (b + 1) u + u^2 v,
# v_t = Dv lap(v) + b u - u^2 v. With b between the Turing threshold
# (1 + a sqrt(Du/Dv))^2 = 6.25 and the Hopf threshold 1 + a^2 = 10, the uniform state
# (a, b/a) breaks into stationary spots.
# Source: I. Prigogine & R. Lefever, J. Chem. Phys. 48 (1968) 1695; the Turing analysis
# of J. Pena & E. M. Perez-Garcia, Phys. Rev. E 64 (2001) 056213.
# Stability: 8 Dv dt/h^2 = 8 * 8 * 0.01 / 1 = 0.64 (RK4 limit 2.78).
model brusselator "Brusselator reaction–diffusion (Turing patterns)"

domain x in [0, 64] periodic
domain y in [0, 64] periodic
grid 64 x 64

param a = 3.0 "feed"
param b = 9.0 "control"
param Du = 2.0 "diffusivity of u"
param Dv = 8.0 "diffusivity of v"

field u, v

dt(u) = Du*lap(u) + a - (b + 1)*u + u^2*v
dt(v) = Dv*lap(v) + b*u - u^2*v

init u = 3 + 0.1*sin(pi*x/8)*cos(pi*y/16)
init v = 3 + 0.1*cos(pi*x/16)*sin(pi*y/8)

solve t in [0, 50] step 0.01 method rk4 save every 1
