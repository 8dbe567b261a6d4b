# Viscous Burgers' equation u_t + (u^2/2)_x = nu u_xx with nu = 0.1 on the periodic unit
# interval, up to T = 1 on 256 points: the setting of the Fourier neural operator's
# Burgers benchmark (there with random initial data; here one smooth sine).
# Source: Z. Li, N. Kovachki, K. Azizzadenesheli, B. Liu, K. Bhattacharya, A. Stuart &
# A. Anandkumar, "Fourier neural operator for parametric PDEs", ICLR 2021, section 5.1.
# Stability: 4 nu dt/h^2 = 4 * 0.1 * 5e-5 * 256^2 = 1.31 (RK4 limit 2.78).
model burgers_periodic "Burgers' equation, periodic (FNO benchmark setting)"

domain x in [0, 1] periodic
grid 256

param nu = 0.1 "viscosity"

field u

dt(u) = -u*d(u, x) + nu*lap(u)

init u = sin(2*pi*x)

solve t in [0, 1] step 5e-5 method rk4 save every 0.05
train fno modes 16 width 64
