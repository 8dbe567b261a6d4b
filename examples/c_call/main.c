/* Calling an eqc-compiled kernel from C: Gray–Scott, classical RK4 in the library.
 *
 *   eqc compile stdlib:gray_scott --target llvm -o build
 *   cc -O2 -I build main.c -L build -lgray_scott -lm -Wl,-rpath,"$PWD/build" -o gray_scott
 *   ./gray_scott 64 100 1.0          # grid size, steps, time step
 *
 * run.py does the same from Python through the generated ctypes loader; both print the
 * same numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gray_scott.h"

int main(int argc, char **argv)
{
    const int64_t m = argc > 1 ? atoll(argv[1]) : eqc_gray_scott_n[0];
    const int64_t nsteps = argc > 2 ? atoll(argv[2]) : 100;
    const double dt = argc > 3 ? atof(argv[3]) : 1.0;
    const int64_t g = EQC_GRAY_SCOTT_HALO;
    int64_t n[2] = {m, m};
    double lo[2], h[2];
    for (int d = 0; d < 2; ++d) {
        lo[d] = eqc_gray_scott_lo[d];
        h[d] = (eqc_gray_scott_hi[d] - eqc_gray_scott_lo[d]) / (double)n[d];
    }
    const int64_t P1 = n[1] + 2 * g, S = (n[0] + 2 * g) * P1;
    double *y = calloc((size_t)(EQC_GRAY_SCOTT_NFIELDS * S), sizeof(double));
    double *work = malloc((size_t)eqc_gray_scott_rk4_work_len(n) * sizeof(double));
    if (!y || !work) return 1;
    double *u = y + EQC_GRAY_SCOTT_FIELD_U * S, *v = y + EQC_GRAY_SCOTT_FIELD_V * S;
    /* the model's init lines; cell centres x_i = lo + (i + 1/2) h */
    for (int64_t i = 0; i < n[0]; ++i)
        for (int64_t j = 0; j < n[1]; ++j) {
            double x = lo[0] + (i + 0.5) * h[0], yy = lo[1] + (j + 0.5) * h[1];
            double bump = exp(-((x - 1.25) * (x - 1.25) + (yy - 1.25) * (yy - 1.25)) / 0.01);
            u[(i + g) * P1 + j + g] = 1.0 - 0.5 * bump;
            v[(i + g) * P1 + j + g] = 0.25 * bump;
        }
    double t = eqc_gray_scott_rk4(y, work, n, h, lo, eqc_gray_scott_param_defaults, 0.0, dt, nsteps,
                                  0, n[0], 0, 1, NULL);
    double su = 0.0, sv = 0.0;
    for (int64_t i = 0; i < n[0]; ++i)
        for (int64_t j = 0; j < n[1]; ++j) {
            su += u[(i + g) * P1 + j + g];
            sv += v[(i + g) * P1 + j + g];
        }
    printf("t %.17g\nsum_u %.17g\nsum_v %.17g\nu_centre %.17g\n", t, su, sv,
           u[(n[0] / 2 + g) * P1 + n[1] / 2 + g]);
    free(y);
    free(work);
    return 0;
}
