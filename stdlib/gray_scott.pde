# Gray–Scott reaction–diffusion: two species, u fed at rate F, v removed at rate F + k,
# reacting as u + 2v -> 3v. Self-replicating spots and stripes form from a local seed.
# Source: P. Gray & S. K. Scott, Chem. Eng. Sci. 38 (1983) 29; the patterns of
# J. E. Pearson, "Complex patterns in a simple system", Science 261 (1993) 189.
# Stability: Du*dt/h^2 = 2e-5 * 1.0 / (2.5/256)^2 = 0.21, well under the RK4 limit (~0.7).
# Run time (`eqc run stdlib:gray_scott`, 5000 RK4 steps on 256x256, 2 cores): about 3 s with
# the default llvm backend, 3.5 s with --backend numba (measured 2026-12-01, kernels cached).
model gray_scott "Gray–Scott reaction–diffusion"

domain x in [0, 2.5] periodic
domain y in [0, 2.5] periodic
grid 256 x 256

param Du = 2e-5    "diffusivity of u"
param Dv = 1e-5    "diffusivity of v"
param F  = 0.04    "feed rate"
param k  = 0.06    "kill rate"

field u, v
let r = u*v^2                       # the reaction, shared by both equations

dt(u) = Du*lap(u) - r + F*(1 - u)
dt(v) = Dv*lap(v) + r - (F + k)*v

init u = 1 - 0.5*exp(-((x - 1.25)^2 + (y - 1.25)^2)/0.01)
init v = 0.25*exp(-((x - 1.25)^2 + (y - 1.25)^2)/0.01)

solve t in [0, 5000] step 1.0 method rk4 save every 100
