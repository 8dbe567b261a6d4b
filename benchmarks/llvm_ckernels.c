/* Hand-written C reference kernels for benchmarks/llvm.py (after the project's anchor
 * kernels in /work/shared/anchors/ckernels.c: the whole time loop in C, one OpenMP parallel
 * region over all steps, "omp for schedule(static)" over rows, periodic wrap by index).
 * Build: cc -O3 -march=native -fopenmp -shared -fPIC -o libbench.so llvm_ckernels.c
 * Each function returns 0 if the final state is in the first buffer, 1 otherwise.
 */
#include <omp.h>
#include <stddef.h>

int heat_steps(double *restrict u0, double *restrict w0, int n, int m,
               double c, long steps, int nthreads)
{
#pragma omp parallel num_threads(nthreads)
    {
        double *u = u0, *w = w0;
        for (long s = 0; s < steps; ++s) {
#pragma omp for schedule(static)
            for (int i = 0; i < n; ++i) {
                const double *restrict um = u + (size_t)(i > 0 ? i - 1 : n - 1) * m;
                const double *restrict up = u + (size_t)(i < n - 1 ? i + 1 : 0) * m;
                const double *restrict uc = u + (size_t)i * m;
                double *restrict o = w + (size_t)i * m;
                o[0] = uc[0] + c * (um[0] + up[0] + uc[m - 1] + uc[1] - 4.0 * uc[0]);
#pragma omp simd
                for (int j = 1; j < m - 1; ++j)
                    o[j] = uc[j] + c * (um[j] + up[j] + uc[j - 1] + uc[j + 1] - 4.0 * uc[j]);
                o[m - 1] = uc[m - 1] + c * (um[m - 1] + up[m - 1] + uc[m - 2] + uc[0] - 4.0 * uc[m - 1]);
            }
            double *t = u; u = w; w = t;
        }
    }
    return (int)(steps & 1);
}

int gs_steps(double *restrict u0, double *restrict v0, double *restrict u20,
             double *restrict v20, int n, int m, double cu, double cv, double dt,
             double F, double Fk, long steps, int nthreads)
{
#pragma omp parallel num_threads(nthreads)
    {
        double *u = u0, *v = v0, *u2 = u20, *v2 = v20;
        for (long s = 0; s < steps; ++s) {
#pragma omp for schedule(static)
            for (int i = 0; i < n; ++i) {
                size_t im = (size_t)(i > 0 ? i - 1 : n - 1) * m, ip = (size_t)(i < n - 1 ? i + 1 : 0) * m,
                       ic = (size_t)i * m;
                const double *restrict um = u + im, *restrict up = u + ip, *restrict uc = u + ic;
                const double *restrict vm = v + im, *restrict vp = v + ip, *restrict vc = v + ic;
                double *restrict ou = u2 + ic, *restrict ov = v2 + ic;
                for (int jj = 0; jj < 2; ++jj) { /* the two wrapped columns */
                    int j = jj ? m - 1 : 0, jl = j > 0 ? j - 1 : m - 1, jr = j < m - 1 ? j + 1 : 0;
                    double a = uc[j], b = vc[j], uvv = a * b * b;
                    ou[j] = a + cu * (um[j] + up[j] + uc[jl] + uc[jr] - 4.0 * a) + dt * (F * (1.0 - a) - uvv);
                    ov[j] = b + cv * (vm[j] + vp[j] + vc[jl] + vc[jr] - 4.0 * b) + dt * (uvv - Fk * b);
                }
#pragma omp simd
                for (int j = 1; j < m - 1; ++j) {
                    double a = uc[j], b = vc[j], uvv = a * b * b;
                    ou[j] = a + cu * (um[j] + up[j] + uc[j - 1] + uc[j + 1] - 4.0 * a) + dt * (F * (1.0 - a) - uvv);
                    ov[j] = b + cv * (vm[j] + vp[j] + vc[j - 1] + vc[j + 1] - 4.0 * b) + dt * (uvv - Fk * b);
                }
            }
            double *t = u; u = u2; u2 = t;
            t = v; v = v2; v2 = t;
        }
    }
    return (int)(steps & 1);
}

/* f(w)_i = -w_i (w_{i+1}-w_{i-1}) a + b (w_{i+1} - 2 w_i + w_{i-1}) */
#define FB(w, i, im, ip) (-(w)[i] * ((w)[ip] - (w)[im]) * a + b * ((w)[ip] - 2.0 * (w)[i] + (w)[im]))

int burgers_rk4(double *restrict u0, double *restrict z0, double *restrict y,
                double *restrict acc, int n, double a, double b, double dt, long steps,
                int nthreads)
{
    const double h2 = 0.5 * dt, d6 = dt / 6.0;
#pragma omp parallel num_threads(nthreads)
    {
        double *u = u0, *z = z0;
        for (long s = 0; s < steps; ++s) {
#pragma omp for schedule(static)
            for (int i = 0; i < n; ++i) {
                int im = i > 0 ? i - 1 : n - 1, ip = i < n - 1 ? i + 1 : 0;
                double k = FB(u, i, im, ip);
                acc[i] = k;
                y[i] = u[i] + h2 * k;
            }
#pragma omp for schedule(static)
            for (int i = 0; i < n; ++i) {
                int im = i > 0 ? i - 1 : n - 1, ip = i < n - 1 ? i + 1 : 0;
                double k = FB(y, i, im, ip);
                acc[i] += 2.0 * k;
                z[i] = u[i] + h2 * k;
            }
#pragma omp for schedule(static)
            for (int i = 0; i < n; ++i) {
                int im = i > 0 ? i - 1 : n - 1, ip = i < n - 1 ? i + 1 : 0;
                double k = FB(z, i, im, ip);
                acc[i] += 2.0 * k;
                y[i] = u[i] + dt * k;
            }
#pragma omp for schedule(static)
            for (int i = 0; i < n; ++i) {
                int im = i > 0 ? i - 1 : n - 1, ip = i < n - 1 ? i + 1 : 0;
                double k = FB(y, i, im, ip);
                z[i] = u[i] + d6 * (acc[i] + k);
            }
            double *t = u; u = z; z = t;
        }
    }
    return (int)(steps & 1);
}

