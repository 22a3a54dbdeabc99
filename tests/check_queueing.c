/*
 * check_queueing.c: the closed forms against values published with them.
 * Each reference says where it comes from; a value worked by hand says so.
 */
#include "config.h"

#include <check.h>
#include <math.h>

#include "queueing.h"
#include "check_main.h"

#define near(x, want, tol)						\
	ck_assert_msg(fabs((x) - (want)) <= (tol),			\
	    "%s = %.6f, want %.6f +- %g", #x, (double)(x), (double)(want),	\
	    (double)(tol))

/*
 * Ciw's README (ciw.readthedocs.io, "Ciw is a discrete event simulation
 * library"): M/M/3, arrival rate 0.2, service rate 0.1. Its simulation
 * gives a mean wait of 4.2305 over 1440 time units; Erlang C gives
 * C(3, 2) = 4/9 and Wq = C / (3 * 0.1 - 0.2) = 40/9 = 4.444.
 */
START_TEST(test_ciw_mm3)
{
	struct queue_fig	q;

	ck_assert_int_eq(queue_mmc(0.2, 0.1, 3, &q), 0);
	near(q.p_wait, 4.0 / 9.0, 1e-12);
	near(q.wq, 40.0 / 9.0, 1e-9);
	near(q.rho, 2.0 / 3.0, 1e-12);
	near(q.w, 40.0 / 9.0 + 10.0, 1e-9);
	near(q.lq, 0.2 * 40.0 / 9.0, 1e-9);
	near(q.l, 0.2 * (40.0 / 9.0 + 10.0), 1e-9);
}
END_TEST

/*
 * M/M/1 (Kleinrock vol. 1, eq. 3.24 and 3.26; Gross and Harris table
 * 2.1): lambda 1, mu 2 gives rho 0.5, L = 1, W = 1, Wq = 0.5, Lq = 0.5;
 * rho 0.9 (lambda 9, mu 10) gives L = 9, W = 1, Wq = 0.9.
 */
START_TEST(test_mm1)
{
	struct queue_fig	q;

	ck_assert_int_eq(queue_mm1(1, 2, &q), 0);
	near(q.l, 1.0, 1e-12);
	near(q.w, 1.0, 1e-12);
	near(q.wq, 0.5, 1e-12);
	near(q.lq, 0.5, 1e-12);
	near(q.p_wait, 0.5, 1e-12);
	ck_assert_int_eq(queue_mm1(9, 10, &q), 0);
	near(q.l, 9.0, 1e-9);
	near(q.w, 1.0, 1e-9);
	near(q.wq, 0.9, 1e-9);
	/* At or past saturation nothing settles. */
	ck_assert_int_eq(queue_mm1(2, 2, &q), -1);
	ck_assert_int_eq(q.stable, 0);
	ck_assert(isinf(q.wq));
}
END_TEST

/*
 * M/M/2 with lambda 1, mu 1 (a = 1, rho 0.5): Erlang C = 1/3, Wq = 1/3,
 * L = 4/3 (Gross and Harris, example 2.3, worked by hand:
 * P0 = 1/3, Lq = P0 a^c rho / (c! (1-rho)^2) = 1/3).
 * Erlang B with c = 5, a = 3: 0.1101 (the Erlang B table of any
 * teletraffic text, e.g. ITU-T E.501 tables).
 */
START_TEST(test_mmc_erlang)
{
	struct queue_fig	q;

	ck_assert_int_eq(queue_mmc(1, 1, 2, &q), 0);
	near(q.p_wait, 1.0 / 3.0, 1e-12);
	near(q.wq, 1.0 / 3.0, 1e-12);
	near(q.lq, 1.0 / 3.0, 1e-12);
	near(q.l, 4.0 / 3.0, 1e-12);
	near(erlang_b(5, 3.0), 0.1101, 5e-5);
	/* One server: Erlang C is rho. */
	near(erlang_c(1, 0.7), 0.7, 1e-12);
	/* Many servers do not overflow: 1000 servers at load 900. */
	ck_assert(erlang_c(1000, 900.0) > 0 && erlang_c(1000, 900.0) < 1);
}
END_TEST

/*
 * M/M/1/K (Kleinrock vol. 1, eq. 3.45): rho = 1/2, K = 3 gives
 * p(n) = (1 - rho) rho^n / (1 - rho^(K+1)) = 8/15, 4/15, 2/15, 1/15:
 * blocking 1/15, L = 11/15. M/M/c/c is Erlang B: c = 5, a = 3.
 */
START_TEST(test_mmck)
{
	struct queue_fig	q;

	ck_assert_int_eq(queue_mmck(1, 2, 1, 3, &q), 0);
	near(q.p_block, 1.0 / 15.0, 1e-12);
	near(q.l, 11.0 / 15.0, 1e-12);
	near(q.lambda_eff, 14.0 / 15.0, 1e-12);
	near(q.w, (11.0 / 15.0) / (14.0 / 15.0), 1e-12);
	ck_assert_int_eq(queue_mmck(3, 1, 5, 5, &q), 0);
	near(q.p_block, erlang_b(5, 3.0), 1e-12);
	near(q.wq, 0.0, 1e-12);
	/* A large room approaches M/M/c. */
	{
		struct queue_fig	inf;

		ck_assert_int_eq(queue_mmck(0.2, 0.1, 3, 400, &q), 0);
		ck_assert_int_eq(queue_mmc(0.2, 0.1, 3, &inf), 0);
		near(q.wq, inf.wq, 1e-6);
	}
	ck_assert_int_eq(queue_mmck(1, 1, 3, 2, &q), -1);
}
END_TEST

/*
 * Kingman's G/G/1 (Kingman 1961; Hopp and Spearman, Factory Physics,
 * eq. 8.10, "VUT"): exponential both ways gives M/M/1 exactly; fixed
 * service halves the wait (M/D/1, Pollaczek-Khinchine: rho/(2 mu (1-rho))).
 * Allen-Cunneen for c = 3, ca2 = 1, cs2 = 0 gives half the Erlang C wait.
 */
START_TEST(test_kingman_allen_cunneen)
{
	struct queue_fig	q, m;

	near(queue_kingman(1, 2, 1, 1), 0.5, 1e-12);
	near(queue_kingman(1, 2, 1, 0), 0.25, 1e-12);
	near(queue_kingman(9, 10, 1, 0), 0.9 / (2 * 10 * 0.1), 1e-9);
	ck_assert_int_eq(queue_ggc(0.2, 0.1, 3, 1, 0, &q), 0);
	ck_assert_int_eq(queue_mmc(0.2, 0.1, 3, &m), 0);
	near(q.wq, m.wq / 2, 1e-12);
	near(q.w, m.wq / 2 + 10, 1e-12);
	/* Whitt's linking equation: Poisson in, exponential service, out. */
	near(queue_departure_scv(0.7, 1, 1, 1), 1.0, 1e-12);
	near(queue_departure_scv(1.0, 1, 1, 0), 0.0, 1e-12);
}
END_TEST

static Suite *
queueing_suite(void)
{
	Suite	*s = suite_create("queueing");
	TCase	*tc = tcase_create("closed forms");

	tcase_add_test(tc, test_ciw_mm3);
	tcase_add_test(tc, test_mm1);
	tcase_add_test(tc, test_mmc_erlang);
	tcase_add_test(tc, test_mmck);
	tcase_add_test(tc, test_kingman_allen_cunneen);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(queueing_suite)
