/*
 * check_roster.c: the run's book of agents (agent_roster.c), the part
 * that is rules and not words: when an agent is lost, what a kill order
 * asks and names. The homes' words are agents.sh's and zmq.sh's.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "agent_roster.h"
#include "check_main.h"
#include "engine_int.h"

#define MS	NSEC_PER_MSEC

static struct roster_agent *
joined(struct roster_agent *a, int64_t at)
{
	memset(a, 0, sizeof *a);
	a->heard = at;		/* as roster_join does */
	return (a);
}

/*
 * The flake of agents.sh's 2c: the run read an agent's pulse before the
 * agent had written it, and lost it at once. A pulse never read is no
 * death for a pulse's life after the join.
 */
START_TEST(test_first_pulse_late)
{
	struct roster_agent	a;
	int64_t			t0 = 1000 * NSEC_PER_SEC;

	joined(&a, t0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_DOWN, t0 + 100 * MS),
	    0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_DOWN, t0 + 2900 * MS),
	    0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_UP, t0 + 2950 * MS),
	    0);
	ck_assert_int_eq(a.seen, 1);
	/* Read once: gone now is a pulse that ran out. */
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_DOWN, t0 + 3000 * MS),
	    1);
}
END_TEST

START_TEST(test_first_pulse_never)
{
	struct roster_agent	a;
	int64_t			t0 = 5 * NSEC_PER_SEC;

	joined(&a, t0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_DOWN, t0 +
	    ROSTER_SILENT_NS), 0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_DOWN, t0 +
	    ROSTER_SILENT_NS + MS), 1);
}
END_TEST

/* Redis away: no word on anyone, so no one lost for it. */
START_TEST(test_pulse_unknown)
{
	struct roster_agent	a;
	int64_t			t0 = 5 * NSEC_PER_SEC;

	joined(&a, t0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_UNKNOWN, t0 +
	    60 * NSEC_PER_SEC), 0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_UP, t0 + 61 *
	    NSEC_PER_SEC), 0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_UNKNOWN, t0 +
	    90 * NSEC_PER_SEC), 0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_DOWN, t0 + 91 *
	    NSEC_PER_SEC), 1);
}
END_TEST

/* ZeroMQ: pulses are messages; silent 3 s after the last, lost. */
START_TEST(test_pulse_pushed)
{
	struct roster_agent	a;
	int64_t			t0 = 5 * NSEC_PER_SEC, now;

	joined(&a, t0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_PUSHED, t0 +
	    ROSTER_SILENT_NS), 0);
	roster_heard(&a);
	now = a.heard;
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_PUSHED, now + 2 *
	    NSEC_PER_SEC), 0);
	ck_assert_int_eq(roster_verdict(&a, ROSTER_PULSE_PUSHED, now +
	    ROSTER_SILENT_NS + MS), 1);
}
END_TEST

static struct roster *
two_agents(struct roster *r)
{
	memset(r, 0, sizeof *r);
	snprintf(r->a[0].id, sizeof r->a[0].id, "laptop-b:100");
	snprintf(r->a[0].host, sizeof r->a[0].host, "laptop-b");
	r->a[0].station = 1;
	snprintf(r->a[1].id, sizeof r->a[1].id, "laptop-c:200");
	snprintf(r->a[1].host, sizeof r->a[1].host, "laptop-c");
	r->a[1].station = 2;
	atomic_store(&r->n, 2);
	return (r);
}

START_TEST(test_order_kill)
{
	struct roster	r;
	char		known[128] = "";
	unsigned	gone = 0;

	two_agents(&r);
	/* By host: the others named in known, for "no such agent". */
	ck_assert_uint_eq(roster_order_kill(&r, "laptop-c", 0, &gone, known,
	    sizeof known), 1);
	ck_assert_str_eq(known, "laptop-b, laptop-c");
	ck_assert_int_eq(atomic_load(&r.a[1].kill), 1);
	ck_assert_int_eq(atomic_load(&r.a[0].kill), 0);
	/* By id, and once sent an order stays sent. */
	atomic_store(&r.a[1].kill, 2);
	known[0] = '\0';
	ck_assert_uint_eq(roster_order_kill(&r, "laptop-c:200", 0, &gone,
	    known, sizeof known), 1);
	ck_assert_int_eq(atomic_load(&r.a[1].kill), 2);
	/* By station; a lost agent is counted gone, not asked. */
	atomic_store(&r.a[0].lost, 1);
	known[0] = '\0';
	ck_assert_uint_eq(roster_order_kill(&r, NULL, 1, &gone, known,
	    sizeof known), 0);
	ck_assert_uint_eq(gone, 1);
	ck_assert_str_eq(known, "");
	ck_assert_uint_eq(roster_order_kill(NULL, NULL, 1, &gone, known,
	    sizeof known), 0);
}
END_TEST

static int	order_calls, order_fails;

static int
fake_order(struct roster *r, struct roster_agent *a)
{
	(void)r;
	(void)a;
	order_calls++;
	return (order_fails-- > 0 ? -1 : 0);
}

/* An order not delivered (Redis away) is sent again, then no more. */
START_TEST(test_orders_retry)
{
	static const struct roster_ops ops = { .order = fake_order };
	struct roster	r;

	two_agents(&r);
	r.ops = &ops;
	atomic_store(&r.a[0].kill, 1);
	order_calls = 0;
	order_fails = 1;
	roster_orders(&r);
	ck_assert_int_eq(atomic_load(&r.a[0].kill), 1);
	roster_orders(&r);
	ck_assert_int_eq(atomic_load(&r.a[0].kill), 2);
	roster_orders(&r);
	ck_assert_int_eq(order_calls, 2);
}
END_TEST

START_TEST(test_known_once)
{
	char	known[64] = "";

	agents_known(known, sizeof known, "laptop-b");
	agents_known(known, sizeof known, "laptop");
	agents_known(known, sizeof known, "laptop-b");
	agents_known(known, sizeof known, "b");
	ck_assert_str_eq(known, "laptop-b, laptop, b");
}
END_TEST

static Suite *
roster_suite(void)
{
	Suite	*s = suite_create("roster");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_first_pulse_late);
	tcase_add_test(tc, test_first_pulse_never);
	tcase_add_test(tc, test_pulse_unknown);
	tcase_add_test(tc, test_pulse_pushed);
	tcase_add_test(tc, test_order_kill);
	tcase_add_test(tc, test_orders_retry);
	tcase_add_test(tc, test_known_once);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(roster_suite)
