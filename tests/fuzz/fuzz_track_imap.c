/* fuzz_track_imap.c - libFuzzer target for the imap tracker (see fuzz_track.h). */
#include "fuzz_track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_track_run("imap", data, size);
}
