# The Swift–Hohenberg equation u_t = r u - (1 + lap)^2 u - u^3 on a periodic square,
# written out: (1 + lap)^2 u = u + 2 lap(u) + u_xxxx + 2 u_xxyy + u_yyyy. For r > 0 a
# small perturbation grows into rolls of wavelength 2 pi.
# Source: J. Swift & P. C. Hohenberg, "Hydrodynamic fluctuations at the convective
# instability", Phys. Rev. A 15 (1977) 319.
# Stability: the biharmonic's eigenvalues reach 64/h^4 = 10.5 with h = pi/2;
# dt = 0.05 gives 0.53 (RK4 limit 2.78).
model swift_hohenberg "Swift–Hohenberg pattern formation"

domain x in [0, 32*pi] periodic
domain y in [0, 32*pi] periodic
grid 64 x 64

param r = 0.3 "distance from onset"

field u

dt(u) = (r - 1)*u - 2*lap(u) - d(u, x, 4) - 2*d(u, x, 2, y, 2) - d(u, y, 4) - u^3

init u = 0.1*sin(x/2)*cos(y/4) + 0.05*cos(x/4)

solve t in [0, 100] step 0.05 method rk4 save every 5
