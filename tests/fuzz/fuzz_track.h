/*
 * fuzz_track.h - the body shared by the tracker fuzz targets
 * (fuzz_track_<proto>.c): the input drives one tracker with both
 * directions interleaved.
 *
 * Input: byte 0 picks the limits (threshold 2^(b%24), line_max small or
 * default); then records of {op, len, len bytes}: op bit 0 is the
 * direction, op 0xf0-0xf2 are TLS begin, TLS done and FTP data progress.
 * After every call the invariants are checked: a failed tracker stays
 * failed, reports an error and an unsuitable reason.
 */
#ifndef FUZZ_TRACK_H
#define FUZZ_TRACK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "track.h"

static void
fuzz_track_check(const struct track *t, int was_failed, int r)
{
	if ((unsigned)track_reason(t) >= WIRE_REASON_MAX || track_state_name(t) == NULL)
		__builtin_trap();
	if (track_error(t) != NULL && wire_reason_suitable(track_reason(t)))
		__builtin_trap();
	if (was_failed && (track_error(t) == NULL || r == 0))
		__builtin_trap();
	if (r == -1 && track_error(t) == NULL)
		__builtin_trap();
}

static int
fuzz_track_run(const char *proto, const uint8_t *data, size_t size)
{
	struct track_limits lim = { 0, 0, 0 };
	struct track t;
	size_t n;
	uint8_t op;
	int failed, r;

	if (size < 1)
		return 0;
	lim.threshold = UINT64_C(1) << (data[0] % 24);
	lim.line_max = (data[0] & 0x80) ? 64 : 0;
	if (track_init(&t, track_lookup(proto), &lim) != 0)
		__builtin_trap();
	data++, size--;
	while (size >= 2) {
		op = data[0];
		n = data[1];
		data += 2, size -= 2;
		if (n > size)
			n = size;
		failed = track_error(&t) != NULL;
		r = failed ? -1 : 0;
		if (op == 0xf0)
			track_tls_begin(&t);
		else if (op == 0xf1)
			track_tls_done(&t);
		else if (op == 0xf3)
			track_tls_implicit(&t);
		else if (op == 0xf2)
			track_ftp_data(&t, (uint64_t)n << (size ? data[0] % 40 : 0));
		else
			r = track_feed(&t, (op & 1) ? TRACK_S2C : TRACK_C2S, data, n);
		fuzz_track_check(&t, failed, r);
		data += n, size -= n;
	}
	return 0;
}

#endif /* FUZZ_TRACK_H */
