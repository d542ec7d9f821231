/* fuzz.h - the entry point every fuzz target defines (libFuzzer's). */
#ifndef STELE_FUZZ_H
#define STELE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
