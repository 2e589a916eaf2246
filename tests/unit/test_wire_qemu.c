/*
 * test_wire_qemu.c - QEMU mode's query-socket messages (MIGRATE,
 * MIGRATE-STATUS, MIGRATE-INFO): round trips, and what the sanitizers
 * refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "migwire.h"

static void
good_migrate(struct wire_migrate *m)
{
	memset(m, 0, sizeof(*m));
	m->domid = 7;
	m->downtime_ms = 300;
	m->deadline_ms = 60000;
	strcpy(m->uri, "tcp:127.0.0.1:4444");
}

static int
sanitize_migrate_frame(const struct wire_migrate *in, struct wire_migrate *out)
{
	uint8_t		 buf[WIRE_HDR_SIZE + WIRE_MIGRATE_SIZE];
	const char	*why;
	size_t		 n = wire_encode_migrate(buf, sizeof(buf), in);

	assert_int_equal(n, sizeof(buf));
	return wire_sanitize_migrate(buf + WIRE_HDR_SIZE, n - WIRE_HDR_SIZE, out, &why);
}

static void
test_migrate_round_trip(void **state)
{
	struct wire_migrate	in, out;

	(void)state;
	good_migrate(&in);
	assert_int_equal(sanitize_migrate_frame(&in, &out), 0);
	assert_int_equal(out.domid, 7);
	assert_int_equal(out.downtime_ms, 300);
	assert_int_equal(out.deadline_ms, 60000);
	assert_string_equal(out.uri, "tcp:127.0.0.1:4444");
}

static void
test_migrate_refused(void **state)
{
	struct wire_migrate	in, out;
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_MIGRATE_SIZE];
	const char		*why;

	(void)state;
	good_migrate(&in);
	in.downtime_ms = 0;
	assert_int_equal(sanitize_migrate_frame(&in, &out), -1);
	good_migrate(&in);
	in.downtime_ms = 600001;
	assert_int_equal(sanitize_migrate_frame(&in, &out), -1);
	good_migrate(&in);
	in.deadline_ms = 86400001;
	assert_int_equal(sanitize_migrate_frame(&in, &out), -1);
	good_migrate(&in);
	in.domid = WIRE_DOMID_NONE;
	assert_int_equal(sanitize_migrate_frame(&in, &out), -1);
	good_migrate(&in);
	in.uri[0] = '\0';
	assert_int_equal(sanitize_migrate_frame(&in, &out), -1);
	good_migrate(&in);
	strcpy(in.uri, "tcp:1.2.3.4:1\",\"x");
	assert_int_equal(sanitize_migrate_frame(&in, &out), -1);
	good_migrate(&in);
	strcpy(in.uri, "exec:rm -rf /");
	assert_int_equal(sanitize_migrate_frame(&in, &out), -1);
	good_migrate(&in);
	strcpy(in.uri, "tcp:\x01");
	assert_int_equal(sanitize_migrate_frame(&in, &out), -1);
	/* unterminated uri, wrong lengths */
	good_migrate(&in);
	wire_encode_migrate(buf, sizeof(buf), &in);
	memset(buf + WIRE_HDR_SIZE + 12, 'a', WIRE_URI_LEN);
	assert_int_equal(wire_sanitize_migrate(buf + WIRE_HDR_SIZE, WIRE_MIGRATE_SIZE, &out,
	    &why), -1);
	assert_int_equal(wire_sanitize_migrate(buf + WIRE_HDR_SIZE, WIRE_MIGRATE_SIZE - 1,
	    &out, &why), -1);
}

static void
test_status_and_info(void **state)
{
	uint8_t				buf[WIRE_HDR_SIZE + WIRE_MIGRATE_INFO_SIZE];
	struct wire_migrate_status	ms = { .domid = 3 }, mso;
	struct wire_migrate_info	mi, mio;
	const char			*why;
	size_t				n;

	(void)state;
	n = wire_encode_migrate_status(buf, sizeof(buf), &ms);
	assert_int_equal(n, WIRE_HDR_SIZE + WIRE_MIGRATE_STATUS_SIZE);
	assert_int_equal(wire_sanitize_migrate_status(buf + WIRE_HDR_SIZE, 4, &mso, &why), 0);
	assert_int_equal(mso.domid, 3);
	assert_int_equal(wire_sanitize_migrate_status(buf + WIRE_HDR_SIZE, 5, &mso, &why), -1);

	memset(&mi, 0, sizeof(mi));
	mi.domid = 3;
	mi.phase = WIRE_MP_COMPLETED;
	mi.passes = 9;
	mi.deferrals = 4;
	mi.pre_total = 5;
	mi.pre_unsuitable = 0;
	mi.elapsed_us = 123456789;
	mi.released_us = WIRE_AGE_NONE;
	strcpy(mi.text, "completed");
	n = wire_encode_migrate_info(buf, sizeof(buf), &mi);
	assert_int_equal(n, sizeof(buf));
	assert_int_equal(wire_sanitize_migrate_info(buf + WIRE_HDR_SIZE, n - WIRE_HDR_SIZE,
	    &mio, &why), 0);
	assert_memory_equal(&mi, &mio, sizeof(mi));
	/* unknown phase, control bytes in the text */
	buf[WIRE_HDR_SIZE + 4] = WIRE_MP_MAX;
	assert_int_equal(wire_sanitize_migrate_info(buf + WIRE_HDR_SIZE, n - WIRE_HDR_SIZE,
	    &mio, &why), -1);
	buf[WIRE_HDR_SIZE + 4] = WIRE_MP_FAILED;
	buf[WIRE_HDR_SIZE + 40] = '\n';
	assert_int_equal(wire_sanitize_migrate_info(buf + WIRE_HDR_SIZE, n - WIRE_HDR_SIZE,
	    &mio, &why), -1);
}

static void
test_roles(void **state)
{
	(void)state;
	assert_true(wire_type_allowed(WIRE_ROLE_QSERVER, WIRE_T_MIGRATE));
	assert_true(wire_type_allowed(WIRE_ROLE_QSERVER, WIRE_T_MIGRATE_STATUS));
	assert_false(wire_type_allowed(WIRE_ROLE_QSERVER, WIRE_T_MIGRATE_INFO));
	assert_true(wire_type_allowed(WIRE_ROLE_QCLIENT, WIRE_T_MIGRATE_INFO));
	assert_false(wire_type_allowed(WIRE_ROLE_QCLIENT, WIRE_T_MIGRATE));
	assert_false(wire_type_allowed(WIRE_ROLE_BRIDGE, WIRE_T_MIGRATE));
	assert_false(wire_type_allowed(WIRE_ROLE_AGENT, WIRE_T_MIGRATE));
	assert_string_equal(wire_type_name(WIRE_T_MIGRATE_INFO), "MIGRATE-INFO");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_round_trip),
		cmocka_unit_test(test_migrate_refused),
		cmocka_unit_test(test_status_and_info),
		cmocka_unit_test(test_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
