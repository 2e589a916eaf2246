/* fuzz_track_ftp.c - libFuzzer target for the ftp tracker (see fuzz_track.h). */
#include "fuzz_track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_track_run("ftp", data, size);
}
