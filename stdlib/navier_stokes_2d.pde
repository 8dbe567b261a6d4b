# Two-dimensional incompressible Navier–Stokes in vorticity–streamfunction form on a
# periodic box: dt(w) = -J(psi, w) + nu lap(w) with the velocity (psi_y, -psi_x) and the
# constraint lap(psi) = -w, solved for psi at every stage (psi is a steady field).
# Source: G. K. Batchelor, "An Introduction to Fluid Dynamics", Cambridge 1967, section
# 4.7; the periodic setting of the FNO paper (Li et al., ICLR 2021, section 5.3).
# Stability: advection |u| dt/h = 2.5 * 0.01 * 64/(2 pi) = 0.25; 8 nu dt/h^2 = 0.008.
model navier_stokes_2d "2D Navier–Stokes, vorticity–streamfunction"

domain x in [0, 2*pi] periodic
domain y in [0, 2*pi] periodic
grid 64 x 64

param nu = 1e-2 "kinematic viscosity"

field w, psi

dt(w) = -(d(psi, y)*d(w, x) - d(psi, x)*d(w, y)) + nu*lap(w)
lap(psi) = -w

init w = 2*cos(x)*cos(y) + 0.5*sin(2*x)*sin(y)

solve t in [0, 10] step 0.01 method rk4 save every 0.5
