# The Kuramoto–Sivashinsky equation u_t = -u u_x - u_xx - u_xxxx on a periodic
# [0, 32 pi] with u0 = cos(x/16)(1 + sin(x/16)): spatio-temporal chaos. Stiff (fourth
# derivative), so the default is the exponential integrator ETDRK4 with dt = 1/4.
# Kassam & Trefethen use 128 Fourier modes; second-order finite differences of u u_x
# need 256 points here (at 128 the chaotic state blows up near t = 40).
# Source: A.-K. Kassam & L. N. Trefethen, "Fourth-order time-stepping for stiff PDEs",
# SIAM J. Sci. Comput. 26 (2005) 1214, section 6 (the kursiv.m example).
model kuramoto_sivashinsky "Kuramoto–Sivashinsky equation (Kassam & Trefethen 2005)"

domain x in [0, 32*pi] periodic
grid 256

field u

dt(u) = -u*d(u, x) - lap(u) - d(u, x, 4)

init u = cos(x/16)*(1 + sin(x/16))

solve t in [0, 150] step 0.25 method etdrk4 save every 1
