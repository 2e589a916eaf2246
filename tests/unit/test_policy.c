/*
 * test_policy.c - the decision (dom0-bridge/policy.c), exhaustively:
 * every deferral count 0..30 against unsuitable counts around each
 * tolerance, the boundaries of deadline, iteration cap and staleness, an
 * absent agent, gating disabled, and stock CONTINUE passed through.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "migwire.h"
#include "dom0-bridge/policy.h"

/* The paper's schedule, written out: tolerance after N deferrals. */
static const uint32_t expected_tolerance[31] = {
	0, 0, 0, 0,  1, 1, 1, 1,  2, 2, 2, 2,  4, 4, 4, 4,  8, 8, 8, 8,
	16, 16, 16, 16,  16, 16, 16, 16,  16, 16, 16,
};

static struct policy_conf
defaults(void)
{
	struct policy_conf pc = {
		.enabled = 1, .deadline_us = 60000000, .max_iterations = 200,
		.tolerance_cap = 16, .deferrals_per_step = 4, .stale_after_us = 3000000,
	};
	return pc;
}

/* A live, fresh agent; stock says stop; nothing deferred yet. */
static struct policy_input
stop_input(void)
{
	struct policy_input in = {
		.stock = WIRE_D_STOP, .have_state = 1, .age_us = 1000,
		.unsuitable = 0, .iteration = 5, .deferrals = 0, .deferred_us = 0,
	};
	return in;
}

static void
expect(const struct policy_conf *pc, const struct policy_input *in, uint32_t decision,
    uint32_t vreason)
{
	struct policy_output out;

	policy_decide(pc, in, &out);
	assert_int_equal(out.vreason, vreason);
	assert_int_equal(out.decision, decision);
}

static void
test_tolerance_schedule(void **state)
{
	struct policy_conf pc = defaults();
	uint32_t d;

	(void)state;
	for (d = 0; d <= 30; d++)
		assert_int_equal(policy_tolerance(&pc, d), expected_tolerance[d]);
	assert_int_equal(policy_tolerance(&pc, UINT32_MAX), 16);
	pc.tolerance_cap = 3;
	assert_int_equal(policy_tolerance(&pc, 12), 3);
	assert_int_equal(policy_tolerance(&pc, 8), 2);
	pc.tolerance_cap = UINT32_MAX;		/* no overflow past 2^31 */
	pc.deferrals_per_step = 1;
	assert_int_equal(policy_tolerance(&pc, 32), 1u << 31);
	assert_int_equal(policy_tolerance(&pc, 33), UINT32_MAX);
	assert_int_equal(policy_tolerance(&pc, UINT32_MAX), UINT32_MAX);
	pc.deferrals_per_step = 2;
	assert_int_equal(policy_tolerance(&pc, 1), 0);
	assert_int_equal(policy_tolerance(&pc, 2), 1);
	assert_int_equal(policy_tolerance(&pc, 4), 2);
}

/* deferrals 0..30 x unsuitable 0..40: stop iff unsuitable <= tolerance. */
static void
test_exhaustive_grid(void **state)
{
	struct policy_conf	pc = defaults();
	struct policy_input	in = stop_input();
	struct policy_output	out;
	uint32_t		d, u;

	(void)state;
	for (d = 0; d <= 30; d++) {
		for (u = 0; u <= 40; u++) {
			in.deferrals = d;
			in.deferred_us = d ? 1000000 : 0;
			in.unsuitable = u;
			policy_decide(&pc, &in, &out);
			assert_int_equal(out.tolerance, expected_tolerance[d]);
			if (u <= expected_tolerance[d]) {
				assert_int_equal(out.decision, WIRE_D_STOP);
				assert_int_equal(out.vreason, WIRE_VR_SUITABLE);
			} else {
				assert_int_equal(out.decision, WIRE_D_CONTINUE);
				assert_int_equal(out.vreason, WIRE_VR_DEFER);
			}
		}
	}
}

static void
test_stock_continue_untouched(void **state)
{
	struct policy_conf	pc = defaults();
	struct policy_input	in = stop_input();
	uint32_t		d;

	(void)state;
	in.stock = WIRE_D_CONTINUE;
	for (d = 0; d <= 30; d++) {
		in.deferrals = d;
		in.unsuitable = d;	/* suitable or not: passed through */
		expect(&pc, &in, WIRE_D_CONTINUE, WIRE_VR_STOCK_CONTINUE);
	}
	in.have_state = 0;		/* also without agent, stale, past caps */
	expect(&pc, &in, WIRE_D_CONTINUE, WIRE_VR_STOCK_CONTINUE);
	in.have_state = 1;
	in.age_us = UINT64_MAX;
	in.iteration = 100000;
	in.deferred_us = UINT64_MAX;
	expect(&pc, &in, WIRE_D_CONTINUE, WIRE_VR_STOCK_CONTINUE);
	pc.enabled = 0;
	expect(&pc, &in, WIRE_D_CONTINUE, WIRE_VR_STOCK_CONTINUE);
}

static void
test_disabled(void **state)
{
	struct policy_conf	pc = defaults();
	struct policy_input	in = stop_input();

	(void)state;
	pc.enabled = 0;
	in.unsuitable = 100;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_DISABLED);
	in.have_state = 0;		/* disabled wins over every other reason */
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_DISABLED);
}

static void
test_no_agent(void **state)
{
	struct policy_conf	pc = defaults();
	struct policy_input	in = stop_input();

	(void)state;
	in.have_state = 0;
	in.unsuitable = 100;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_NO_AGENT);
	in.age_us = UINT64_MAX;		/* no agent wins over stale */
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_NO_AGENT);
}

static void
test_stale_boundary(void **state)
{
	struct policy_conf	pc = defaults();
	struct policy_input	in = stop_input();

	(void)state;
	in.unsuitable = 100;
	in.age_us = pc.stale_after_us - 1;
	expect(&pc, &in, WIRE_D_CONTINUE, WIRE_VR_DEFER);
	in.age_us = pc.stale_after_us;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_STALE);
	in.age_us = UINT64_MAX;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_STALE);
	in.unsuitable = 0;		/* stale even when it would stop anyway */
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_STALE);
}

static void
test_deadline_boundary(void **state)
{
	struct policy_conf	pc = defaults();
	struct policy_input	in = stop_input();

	(void)state;
	in.unsuitable = 100;
	in.deferrals = 3;
	in.deferred_us = pc.deadline_us - 1;
	expect(&pc, &in, WIRE_D_CONTINUE, WIRE_VR_DEFER);
	in.deferred_us = pc.deadline_us;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_DEADLINE);
	in.deferred_us = pc.deadline_us + 1;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_DEADLINE);
	in.age_us = pc.stale_after_us;	/* stale is checked before the deadline */
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_STALE);
	/* No deferral yet: no deadline, even with a zero deadline. */
	in.age_us = 0;
	in.deferrals = 0;
	in.deferred_us = 0;
	pc.deadline_us = 0;
	expect(&pc, &in, WIRE_D_CONTINUE, WIRE_VR_DEFER);
	in.deferrals = 1;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_DEADLINE);
}

static void
test_iteration_cap_boundary(void **state)
{
	struct policy_conf	pc = defaults();
	struct policy_input	in = stop_input();

	(void)state;
	in.unsuitable = 100;
	in.iteration = pc.max_iterations - 1;
	expect(&pc, &in, WIRE_D_CONTINUE, WIRE_VR_DEFER);
	in.iteration = pc.max_iterations;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_ITERATION_CAP);
	in.iteration = UINT32_MAX;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_ITERATION_CAP);
	in.deferrals = 1;		/* the deadline is checked before the cap */
	in.deferred_us = pc.deadline_us;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_DEADLINE);
	in.deferred_us = 0;
	in.unsuitable = 0;		/* cap stops regardless of the counts */
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_ITERATION_CAP);
}

static void
test_custom_steps(void **state)
{
	struct policy_conf	pc = defaults();
	struct policy_input	in = stop_input();

	(void)state;
	pc.deferrals_per_step = 1;
	pc.tolerance_cap = 0;		/* never tolerate anything */
	in.deferrals = 25;
	in.deferred_us = 1;
	in.unsuitable = 1;
	expect(&pc, &in, WIRE_D_CONTINUE, WIRE_VR_DEFER);
	in.unsuitable = 0;
	expect(&pc, &in, WIRE_D_STOP, WIRE_VR_SUITABLE);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(wire_vreason_name(WIRE_VR_DEFER), "defer");
	assert_string_equal(wire_vreason_name(WIRE_VR_NO_AGENT), "no_agent");
	assert_string_equal(wire_vreason_name(WIRE_VR_STOCK_CONTINUE), "stock_continue");
	assert_string_equal(wire_vreason_name(WIRE_VR_MAX), "?");
	assert_string_equal(policy_decision_name(WIRE_D_STOP), "stop");
	assert_string_equal(policy_decision_name(WIRE_D_CONTINUE), "continue");
	assert_string_equal(policy_decision_name(7), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tolerance_schedule),
		cmocka_unit_test(test_exhaustive_grid),
		cmocka_unit_test(test_stock_continue_untouched),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_no_agent),
		cmocka_unit_test(test_stale_boundary),
		cmocka_unit_test(test_deadline_boundary),
		cmocka_unit_test(test_iteration_cap_boundary),
		cmocka_unit_test(test_custom_steps),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
