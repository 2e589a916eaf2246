/* fuzz_track_smtp.c - libFuzzer target for the smtp tracker (see fuzz_track.h). */
#include "fuzz_track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_track_run("smtp", data, size);
}
