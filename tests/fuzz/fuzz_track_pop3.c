/* fuzz_track_pop3.c - libFuzzer target for the pop3 tracker (see fuzz_track.h). */
#include "fuzz_track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_track_run("pop3", data, size);
}
