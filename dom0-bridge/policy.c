/*
 * policy.c - the paper's bounded binary exponential backoff, as a pure
 * function (see policy.h).
 */
#include "migwire.h"
#include "policy.h"

uint32_t
policy_tolerance(const struct policy_conf *pc, uint32_t deferrals)
{
	uint32_t	per = pc->deferrals_per_step ? pc->deferrals_per_step : 1;
	uint32_t	step = deferrals / per;
	uint32_t	tol;

	if (step == 0)
		return 0;
	/* 1 << (step - 1), saturating before it could overflow. */
	tol = step - 1 > 31 ? UINT32_MAX : 1u << (step - 1);
	return tol < pc->tolerance_cap ? tol : pc->tolerance_cap;
}

static void
policy_set(struct policy_output *out, uint32_t decision, uint32_t vreason)
{
	out->decision = decision;
	out->vreason = vreason;
}

void
policy_decide(const struct policy_conf *pc, const struct policy_input *in,
    struct policy_output *out)
{
	out->tolerance = policy_tolerance(pc, in->deferrals);
	if (in->stock != WIRE_D_STOP)
		policy_set(out, WIRE_D_CONTINUE, WIRE_VR_STOCK_CONTINUE);
	else if (!pc->enabled)
		policy_set(out, WIRE_D_STOP, WIRE_VR_DISABLED);
	else if (!in->have_state)
		policy_set(out, WIRE_D_STOP, WIRE_VR_NO_AGENT);
	else if (in->age_us >= pc->stale_after_us)
		policy_set(out, WIRE_D_STOP, WIRE_VR_STALE);
	else if (in->deferrals > 0 && in->deferred_us >= pc->deadline_us)
		policy_set(out, WIRE_D_STOP, WIRE_VR_DEADLINE);
	else if (in->iteration >= pc->max_iterations)
		policy_set(out, WIRE_D_STOP, WIRE_VR_ITERATION_CAP);
	else if (in->unsuitable <= out->tolerance)
		policy_set(out, WIRE_D_STOP, WIRE_VR_SUITABLE);
	else
		policy_set(out, WIRE_D_CONTINUE, WIRE_VR_DEFER);
}

const char *
policy_decision_name(uint32_t decision)
{
	if (decision == WIRE_D_STOP)
		return "stop";
	return decision == WIRE_D_CONTINUE ? "continue" : "?";
}
