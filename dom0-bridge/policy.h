/*
 * policy.h - the decision: may a domain be stopped now?  (ARCHITECTURE.md,
 * "The decision".)  A pure function: no I/O, no clock reads, no state of
 * its own; migbridge keeps the per-migration bookkeeping and passes the
 * time in.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdint.h>

struct policy_conf {
	int		 enabled;		/* 0: always do what stock does */
	uint64_t	 deadline_us;		/* max time since the first deferral */
	uint32_t	 max_iterations;	/* stop at this precopy iteration */
	uint32_t	 tolerance_cap;		/* tolerance never exceeds this */
	uint32_t	 deferrals_per_step;	/* deferrals at each tolerance level (>= 1) */
	uint64_t	 stale_after_us;	/* a state at least this old is stale */
};

struct policy_input {
	uint32_t	 stock;			/* enum wire_decision of the stock rule */
	int		 have_state;		/* a live agent with a state */
	uint64_t	 age_us;		/* age of that state */
	uint32_t	 unsuitable;		/* its unsuitable connections */
	uint32_t	 iteration;		/* precopy iteration */
	uint32_t	 deferrals;		/* stops deferred so far in this migration */
	uint64_t	 deferred_us;		/* time since the first deferral (0 if none) */
};

struct policy_output {
	uint32_t	 decision;		/* enum wire_decision */
	uint32_t	 vreason;		/* enum wire_vreason */
	uint32_t	 tolerance;		/* unsuitable tolerated at this deferral */
};

/*
 * The unsuitable connections tolerated after `deferrals` deferrals: 0 for
 * the first deferrals_per_step, then 1, 2, 4, ... each for
 * deferrals_per_step more, never above tolerance_cap.  Cannot fail.
 */
uint32_t	policy_tolerance(const struct policy_conf *, uint32_t deferrals);

/*
 * Decide.  Fills *out; cannot fail.  Order of the rules: stock CONTINUE
 * passes through; then fail open (disabled, no agent, stale); then the
 * bounds (deadline, iteration cap); then unsuitable <= tolerance stops,
 * else defer.
 */
void		policy_decide(const struct policy_conf *, const struct policy_input *,
		    struct policy_output *out);

/* "stop" or "continue", as in the decision log; "?" if unknown.  Reasons
 * are named by wire_vreason_name(). */
const char	*policy_decision_name(uint32_t decision);

#endif /* POLICY_H */
