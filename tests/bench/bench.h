/* Tiny helpers shared by the benchmarks: a monotonic clock and one output
 * format, "name|figure|unit|goal", which scripts/bench turns into a table. */
#ifndef SK_BENCH_H
#define SK_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void bench_report(const char *name, double figure, const char *unit, const char *goal)
{
	printf("%s|%.3f|%s|%s\n", name, figure, unit, goal ? goal : "");
	fflush(stdout);
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of n measurements (n <= 16). */
static inline double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
