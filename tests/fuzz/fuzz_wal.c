/*
 * fuzz_wal.c - the WAL's two readers of untrusted bytes. The input is
 * written as the only WAL file of a database (after a valid header, or raw,
 * by the first byte) that is opened read-only, with and without recover;
 * and it is applied directly as a batch payload (batch_apply) to a small
 * table, live and as replay. Errors only: never a crash or a leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "storage/batch.h"
#include "storage/db.h"

static char dir[64];

static void cleanup(void)
{
	char p[160];
	snprintf(p, sizeof p, "%s/wal/00000000000000000001.wal", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/wal", dir);
	rmdir(p);
	snprintf(p, sizeof p, "%s/LOCK", dir);
	unlink(p);
	rmdir(dir);
}

static void setup_db(void)
{
	atexit(cleanup);
	snprintf(dir, sizeof dir, "/tmp/stele-fuzz-wal-%d", (int)getpid());
	char p[128];
	mkdir(dir, 0755);
	snprintf(p, sizeof p, "%s/wal", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/LOCK", dir);
	FILE *f = fopen(p, "w");
	if (f)
		fclose(f);
}

static void apply_payload(const uint8_t *data, size_t size, bool replay)
{
	Catalog cat = {0};
	SeriesIndex sx;
	series_init(&sx);
	Table *t;
	if (catalog_add_table(&cat, "m", 1, 86400000000000LL, &t, NULL))
		abort();
	static const struct {
		const char *name;
		ColKind kind;
		stele_type type;
	} cols[] = {{"t", COL_TAG, STELE_TYPE_VARCHAR},   {"f", COL_FIELD, STELE_TYPE_DOUBLE},
	            {"i", COL_FIELD, STELE_TYPE_BIGINT},  {"u", COL_FIELD, STELE_TYPE_UBIGINT},
	            {"b", COL_FIELD, STELE_TYPE_BOOLEAN}, {"s", COL_FIELD, STELE_TYPE_VARCHAR}};
	for (int c = 0; c < 6; c++)
		if (table_add_column(t, cols[c].name, 1, cols[c].kind, cols[c].type, NULL, NULL))
			abort();
	uint32_t vid, sid;
	if (series_intern_value(&sx, 0, 0, "a", 1, &vid, NULL) ||
	    series_create(&sx, 0, series_hash("m,t=a", 5), &vid, 1, &sid, NULL))
		abort();
	MemTable *mem = mem_new();
	uint64_t nrows;
	TombList deletes = {0};
	batch_apply(&cat, &sx, mem, data, size, replay, &nrows, &deletes, NULL);
	tomblist_free(&deletes);
	mem_unref(mem);
	series_free(&sx);
	catalog_free(&cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!dir[0])
		setup_db();
	char wal[160];
	snprintf(wal, sizeof wal, "%s/wal/00000000000000000001.wal", dir);
	FILE *f = fopen(wal, "wb");
	if (!f)
		abort();
	if (data[0] & 1) {
		static const uint8_t hdr[16] = {'S', 'T', 'E', 'L', 'E', 'W', 'A', 'L', 1};
		fwrite(hdr, 1, sizeof hdr, f);
	}
	if (size > 1)
		fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	stele_options o;
	stele_options_init(&o);
	o.read_only = true;
	o.background = false;
	o.recover = (data[0] & 2) != 0;
	stele_db *db;
	if (stele_open(dir, &o, &db, NULL) == STELE_OK)
		stele_close(db, NULL);
	unlink(wal);
	apply_payload(data + 1, size - 1, (data[0] & 4) != 0);
	return 0;
}
