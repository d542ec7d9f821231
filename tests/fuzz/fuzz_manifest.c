/*
 * fuzz_manifest.c - manifest_decode() on arbitrary bytes: a manifest or an
 * error code, never a crash or a leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "storage/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ManifestState ms;
	Catalog cat = {0};
	SegInfo *infos = NULL;
	uint32_t n = 0, nt = 0;
	Tomb *tombs = NULL;
	int rc = manifest_decode(data, size, "fuzz", &ms, &cat, &infos, &n, &tombs, &nt, NULL);
	if (rc == STELE_OK) {
		for (uint32_t i = 0; i < n; i++)
			if (!catalog_table(&cat, infos[i].table) || infos[i].min_ts > infos[i].max_ts)
				abort();
		for (uint32_t i = 0; i < nt; i++)
			if (!catalog_table(&cat, tombs[i].table) || tombs[i].tmin > tombs[i].tmax)
				abort();
	}
	for (uint32_t i = 0; i < nt; i++)
		tomb_free(&tombs[i]);
	free(tombs);
	free(infos);
	catalog_free(&cat);
	return 0;
}
