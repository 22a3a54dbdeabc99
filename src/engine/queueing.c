/*
 * queueing.c: Erlang B and C, M/M/1, M/M/c, M/M/c/K and the Allen-Cunneen
 * approximation. Sources: Kleinrock, Queueing Systems vol. 1 (1975),
 * sections 3.2-3.7; Gross and Harris, Fundamentals of Queueing Theory,
 * sections 2.2-2.5; Allen, Probability, Statistics and Queueing Theory
 * (1990) for G/G/c; Whitt, "The Queueing Network Analyzer" (1983) for the
 * departure SCV. doc/theory.md has the formulas written out.
 */
#include "config.h"

#include "queueing.h"

#include <math.h>
#include <string.h>

/*
 * By the recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)): no
 * factorials, so thousands of servers neither overflow nor lose digits.
 */
double
erlang_b(unsigned c, double a)
{
	double		b = 1.0;
	unsigned	k;

	if (a <= 0)
		return (c == 0 ? 1.0 : 0.0);
	for (k = 1; k <= c; k++)
		b = a * b / ((double)k + a * b);
	return (b);
}

/* C = c B / (c - a (1 - B)), from B; 1 once the load reaches c. */
double
erlang_c(unsigned c, double a)
{
	double	b;

	if (c == 0 || a >= (double)c)
		return (1.0);
	if (a <= 0)
		return (0.0);
	b = erlang_b(c, a);
	return ((double)c * b / ((double)c - a * (1.0 - b)));
}

/* An overloaded station: it works flat out and its queue grows. */
static int
queue_unstable(double rho, struct queue_fig *q)
{
	memset(q, 0, sizeof *q);
	q->rho = rho;
	q->p_wait = 1.0;
	q->wq = q->lq = q->w = q->l = INFINITY;
	return (-1);
}

int
queue_mmc(double lambda, double mu, unsigned c, struct queue_fig *q)
{
	double	rho;

	if (lambda < 0 || mu <= 0 || c == 0)
		return (queue_unstable(1.0, q));
	rho = lambda / ((double)c * mu);
	if (rho >= 1.0)
		return (queue_unstable(rho, q));
	memset(q, 0, sizeof *q);
	q->stable = 1;
	q->rho = rho;
	q->lambda_eff = lambda;
	q->p_wait = erlang_c(c, lambda / mu);
	q->wq = q->p_wait / ((double)c * mu - lambda);
	q->lq = lambda * q->wq;
	q->w = q->wq + 1.0 / mu;
	q->l = lambda * q->w;
	return (0);
}

int
queue_mm1(double lambda, double mu, struct queue_fig *q)
{
	return (queue_mmc(lambda, mu, 1, q));
}

/*
 * p(n) = p0 a^n / n! up to c, then p(c) rho^(n - c) up to k; summed with
 * terms built one from the last, so nothing overflows for large k.
 */
int
queue_mmck(double lambda, double mu, unsigned c, unsigned k,
    struct queue_fig *q)
{
	double		a, term, sum = 0, l = 0, lq = 0, pk;
	unsigned	n;

	if (lambda < 0 || mu <= 0 || c == 0 || k < c)
		return (-1);
	memset(q, 0, sizeof *q);
	a = lambda / mu;
	term = 1.0;
	for (n = 0; n <= k; n++) {
		if (n > 0)
			term *= n <= c ? a / (double)n : a / (double)c;
		sum += term;
		l += (double)n * term;
		if (n > c)
			lq += (double)(n - c) * term;
	}
	pk = term / sum;
	/* p(c..k-1) summed: an arrival that finds all c busy waits. */
	q->stable = 1;
	q->p_block = pk;
	q->lambda_eff = lambda * (1.0 - pk);
	q->l = l / sum;
	q->lq = lq / sum;
	q->rho = q->lambda_eff / ((double)c * mu);
	q->w = q->lambda_eff > 0 ? q->l / q->lambda_eff : 1.0 / mu;
	q->wq = q->lambda_eff > 0 ? q->lq / q->lambda_eff : 0.0;
	/* Of those let in, the share that finds every server busy. */
	{
		double	busy = 0;

		term = 1.0;
		for (n = 0; n < k; n++) {
			if (n > 0)
				term *= n <= c ? a / (double)n :
				    a / (double)c;
			if (n >= c)
				busy += term;
		}
		q->p_wait = busy / sum / (1.0 - pk);
	}
	return (0);
}

int
queue_ggc(double lambda, double mu, unsigned c, double ca2, double cs2,
    struct queue_fig *q)
{
	if (queue_mmc(lambda, mu, c, q) == -1)
		return (-1);
	q->wq *= (ca2 + cs2) / 2.0;
	q->lq = lambda * q->wq;
	q->w = q->wq + 1.0 / mu;
	q->l = lambda * q->w;
	return (0);
}

/* Wq = rho / (1 - rho) * (ca2 + cs2) / 2 * E[S]. */
double
queue_kingman(double lambda, double mu, double ca2, double cs2)
{
	double	rho = lambda / mu;

	if (mu <= 0 || rho >= 1.0)
		return (INFINITY);
	return (rho / (1.0 - rho) * (ca2 + cs2) / 2.0 / mu);
}

/* cd2 = 1 + (1 - rho^2)(ca2 - 1) + rho^2 (cs2 - 1) / sqrt(c). */
double
queue_departure_scv(double rho, unsigned c, double ca2, double cs2)
{
	if (rho > 1.0)
		rho = 1.0;
	if (c == 0)
		c = 1;
	return (1.0 + (1.0 - rho * rho) * (ca2 - 1.0) +
	    rho * rho * (cs2 - 1.0) / sqrt((double)c));
}
