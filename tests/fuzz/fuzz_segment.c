/*
 * fuzz_segment.c - a segment file of arbitrary bytes: opened as `stele
 * inspect` opens one (the header and footer say what it claims to be), then
 * every block read. Errors only: never a crash, a leak, or a read outside
 * the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "storage/segment.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/stele-fuzz-segment-%d.seg", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	SegInfo info = {0};
	info.size = size;
	if (size >= SEG_HEADER + SEG_FOOTER) {
		memcpy(&info.table, data + 12, 4);
		memcpy(&info.part_start, data + 16, 8);
		memcpy(&info.id, data + 24, 8);
		memcpy(info.digest, data + size - 40, SEG_DIGEST);
	}
	Segment *s;
	if (seg_open_path(path, &info, &s, NULL) == STELE_OK) {
		uint32_t cols[64];
		uint8_t types[64];
		uint32_t nc = s->ncols < 64 ? s->ncols : 64;
		for (uint32_t c = 0; c < nc; c++) {
			cols[c] = s->cols[c].col;
			types[c] = s->cols[c].type;
		}
		Rows r;
		if (rows_init(&r, nc, cols, types))
			abort();
		for (uint32_t b = 0; b < s->nblocks && b < 256; b++) {
			rows_clear(&r);
			seg_read_block(s, b, &r, NULL);
		}
		rows_free(&r);
		seg_unref(s);
	}
	unlink(path);
	return 0;
}
