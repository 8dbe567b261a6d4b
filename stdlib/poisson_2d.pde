# Poisson's equation lap(u) = -2 pi^2 sin(pi x) sin(pi y) on the unit square with u = 0
# on the boundary; a manufactured problem whose exact solution is
# u = sin(pi x) sin(pi y). Steady: solved with Newton, no time stepping.
# Source: the method of manufactured solutions, P. J. Roache, "Code Verification by the
# Method of Manufactured Solutions", J. Fluids Eng. 124 (2002) 4.
model poisson_2d "Poisson equation, manufactured solution sin(pi x) sin(pi y)"

domain x in [0, 1]
domain y in [0, 1]
grid 64 x 64

field u

lap(u) = -2*pi^2*sin(pi*x)*sin(pi*y)

bc u = 0 at x = 0
bc u = 0 at x = 1
bc u = 0 at y = 0
bc u = 0 at y = 1
