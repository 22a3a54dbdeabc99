/*
 * queueing.h: the closed forms of queueing theory, as plain functions of
 * rates and counts. Nothing here knows of scenarios or runs: predict.c
 * turns a scenario into these arguments. Times are in the unit of the
 * rates' inverse (seconds when rates are per second).
 */
#ifndef DISHRACK_QUEUEING_H
#define DISHRACK_QUEUEING_H

/* The steady state of one station, M/M/c or an approximation of G/G/c. */
struct queue_fig {
	int	stable;		/* rho < 1 (or a finite room, always) */
	double	rho;		/* utilisation: lambda / (c mu) */
	double	p_wait;		/* a dish waits at all (Erlang C) */
	double	p_block;	/* an arrival finds no room (M/M/c/K) */
	double	lambda_eff;	/* arrivals let in */
	double	wq;		/* mean wait in the queue */
	double	lq;		/* mean number waiting */
	double	w;		/* mean time in the system: wq + 1/mu */
	double	l;		/* mean number in the system */
};

/* Erlang B: an arrival is lost, c servers, offered load a = lambda/mu. */
double	erlang_b(unsigned c, double a);

/* Erlang C: an arrival waits, c servers, a = lambda/mu (a < c, else 1). */
double	erlang_c(unsigned c, double a);

/* M/M/1 and M/M/c, unbounded queue. 0, or -1 if unstable (fig->stable 0). */
int	queue_mm1(double lambda, double mu, struct queue_fig *);
int	queue_mmc(double lambda, double mu, unsigned c, struct queue_fig *);

/*
 * M/M/c/K: at most k dishes in the system (k >= c: c in hands, k - c
 * waiting). Always stable. -1 on bad arguments.
 */
int	queue_mmck(double lambda, double mu, unsigned c, unsigned k,
	    struct queue_fig *);

/*
 * G/G/c by Allen-Cunneen (Kingman's formula when c = 1): the M/M/c wait
 * scaled by (ca2 + cs2) / 2, the squared coefficients of variation of the
 * gaps between arrivals and of the service times. Approximate.
 */
int	queue_ggc(double lambda, double mu, unsigned c, double ca2,
	    double cs2, struct queue_fig *);

/* Kingman's G/G/1 mean wait alone. */
double	queue_kingman(double lambda, double mu, double ca2, double cs2);

/*
 * The SCV of the dishes leaving a G/G/c station (Whitt's QNA linking
 * equation), the arrivals' SCV at the next station of a line.
 */
double	queue_departure_scv(double rho, unsigned c, double ca2, double cs2);

#endif
