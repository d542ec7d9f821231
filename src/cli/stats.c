/*
 * stats.c - stele stats: what a database holds and what it costs on disk:
 * per table its series, rows, partitions and segments, and per column the
 * values stored, the bytes they take, bytes per value and the codecs used.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "storage/codecs/codec.h"
#include "storage/db.h"
#include "util/io.h"

#define MAX_CODECS 256

typedef struct ColStat {
	uint64_t values, bytes;
	uint64_t codec_chunks[MAX_CODECS];  /* by header byte */
} ColStat;

typedef struct TabStat {
	uint64_t rows, mem_rows, segments, bytes, partitions, series;
	ColStat *cols;  /* by column index; [0] is ts */
} TabStat;

static uint64_t tree_bytes(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return (uint64_t)st.st_size;
	uint64_t n = 0;
	DIR *d = opendir(path);
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char child[PATH_MAX];
		snprintf(child, sizeof child, "%s/%s", path, de->d_name);
		n += tree_bytes(child);
	}
	closedir(d);
	return n;
}

static void json_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Reads every block of s to learn each chunk's codec. */
/* Reads every block of s to learn each chunk's codec. */
static int scan_segment(Segment *s, TabStat *ts, StErr *err)
{
	for (uint32_t b = 0; b < s->nblocks; b++) {
		BlockDetail d;
		seg_block_detail(s, b, &d);
		uint8_t *data = malloc(d.len);
		if (!data)
			return failf(err, STELE_ENOMEM, "out of memory");
		int rc = io_pread(s->fd, s->path, data, d.len, d.off, err);
		if (rc) {
			free(data);
			return rc;
		}
		ColStat *tc = &ts->cols[0];
		tc->values += d.nrows;
		tc->bytes += d.ts_len;
		if (d.ts_len)
			tc->codec_chunks[data[0]]++;
		ChunkMeta cm;
		while (seg_next_chunk(s, &d, &cm)) {
			ColStat *cs = &ts->cols[s->cols[cm.slot].col];
			uint32_t skip = cm.nnull ? (d.nrows + 7) / 8 : 0;
			cs->values += d.nrows - cm.nnull;
			cs->bytes += cm.len;
			if (skip < cm.len)
				cs->codec_chunks[data[cm.off + skip]]++;
		}
		free(data);
	}
	return STELE_OK;
}

static void codec_list(FILE *f, const ColStat *cs, bool json)
{
	uint64_t total = 0;
	for (int i = 0; i < MAX_CODECS; i++)
		total += cs->codec_chunks[i];
	bool first = true;
	if (json)
		fputc('{', f);
	for (int i = 0; i < MAX_CODECS; i++) {
		if (!cs->codec_chunks[i])
			continue;
		if (json)
			fprintf(f, "%s\"%s\":%llu", first ? "" : ",", codec_name((uint8_t)i),
			        (unsigned long long)cs->codec_chunks[i]);
		else
			fprintf(f, "%s%s %.0f%%", first ? "" : ", ", codec_name((uint8_t)i),
			        100.0 * (double)cs->codec_chunks[i] / (double)total);
		first = false;
	}
	if (json)
		fputc('}', f);
}

int cmd_stats(int argc, char **argv)
{
	const char *dbpath = NULL;
	bool json = false, recover = false, bad = false;
	for (int i = 1; i < argc && !bad; i++) {
		if (cli_opt(argc, argv, &i, "--db", &dbpath, &bad))
			continue;
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--recover") == 0)
			recover = true;
		else
			bad = !!cli_fail("stats", EXIT_USAGE, "unknown argument \"%s\"", argv[i]);
	}
	if (bad || !dbpath)
		return bad ? EXIT_USAGE : cli_fail("stats", EXIT_USAGE, "usage: stele stats --db PATH [--json]");
	stele_options opts;
	stele_options_init(&opts);
	opts.read_only = true;
	opts.recover = recover;
	stele_db *db;
	stele_err err;
	if (stele_open(dbpath, &opts, &db, &err))
		return cli_fail("stats", EXIT_FAILED, "%s", err.msg);
	const Catalog *cat = &db->cat;
	TabStat *ts = calloc(cat->ntables + 1, sizeof *ts);
	int rc = ts ? STELE_OK : failf(&err, STELE_ENOMEM, "out of memory");
	for (uint32_t i = 0; rc == STELE_OK && i < cat->ntables; i++) {
		if (!cat->tables[i])
			continue;
		ts[i].cols = calloc(cat->tables[i]->ncols, sizeof *ts[i].cols);
		if (!ts[i].cols)
			rc = failf(&err, STELE_ENOMEM, "out of memory");
		if (i < db->sx.ntables)
			ts[i].series = db->sx.tables[i].all.n;
		MemTbl *mt = mem_table(db->mem, i);
		if (mt)
			ts[i].mem_rows = mt->n;
	}
	const Version *v = db->version;
	for (uint32_t k = 0; rc == STELE_OK && k < v->nsegs; k++) {
		Segment *s = v->segs[k];
		TabStat *t = &ts[s->info.table];
		t->rows += s->info.nrows;
		t->segments++;
		t->bytes += s->info.size;
		if (k == 0 || v->segs[k - 1]->info.table != s->info.table ||
		    v->segs[k - 1]->info.part_start != s->info.part_start)
			t->partitions++;
		rc = scan_segment(s, t, &err);
	}
	if (rc) {
		stele_close(db, NULL);
		return cli_fail("stats", EXIT_FAILED, "%s", err.msg);
	}
	char p[PATH_MAX];
	uint64_t total = tree_bytes(dbpath);
	snprintf(p, sizeof p, "%s/%s", dbpath, WAL_DIR);
	uint64_t wal = tree_bytes(p);
	snprintf(p, sizeof p, "%s/data", dbpath);
	uint64_t seg = tree_bytes(p);
	snprintf(p, sizeof p, "%s/%s", dbpath, SERIES_FILE);
	uint64_t ser = tree_bytes(p);
	uint64_t values = 0, rows = 0;
	for (uint32_t i = 0; i < cat->ntables; i++) {
		const Table *t = cat->tables[i];
		if (!t)
			continue;
		rows += ts[i].rows + ts[i].mem_rows;
		for (uint32_t c = 1; c < t->ncols; c++)
			if (t->cols[c].kind == COL_FIELD)
				values += ts[i].cols[c].values;
	}
	FILE *f = stdout;
	if (json) {
		fprintf(f, "{\"path\":");
		json_str(f, dbpath, strlen(dbpath));
		fprintf(f,
		        ",\"bytes_on_disk\":%llu,\"wal_bytes\":%llu,\"segment_bytes\":%llu,"
		        "\"series_file_bytes\":%llu,\"series\":%u,\"rows\":%llu,\"values\":%llu,"
		        "\"bytes_per_value\":%.4f,\"tables\":[",
		        (unsigned long long)total, (unsigned long long)wal, (unsigned long long)seg,
		        (unsigned long long)ser, db->sx.n, (unsigned long long)rows,
		        (unsigned long long)values, values ? (double)total / (double)values : 0.0);
	} else {
		fprintf(f, "database %s\n", dbpath);
		fprintf(f, "  bytes on disk   %llu (segments %llu, WAL %llu, series index %llu)\n",
		        (unsigned long long)total, (unsigned long long)seg, (unsigned long long)wal,
		        (unsigned long long)ser);
		fprintf(f, "  series          %u\n", db->sx.n);
		fprintf(f, "  rows            %llu\n", (unsigned long long)rows);
		fprintf(f, "  field values    %llu in segments\n", (unsigned long long)values);
		if (values)
			fprintf(f, "  bytes per value %.4f (all bytes on disk / field values)\n",
			        (double)total / (double)values);
	}
	bool first_t = true;
	for (uint32_t i = 0; i < cat->ntables; i++) {
		const Table *t = cat->tables[i];
		if (!t)
			continue;
		TabStat *s = &ts[i];
		if (json) {
			fprintf(f, "%s{\"name\":", first_t ? "" : ",");
			json_str(f, t->name, t->len);
			fprintf(f,
			        ",\"series\":%llu,\"rows\":%llu,\"memtable_rows\":%llu,\"partitions\":%llu,"
			        "\"segments\":%llu,\"segment_bytes\":%llu,\"columns\":[",
			        (unsigned long long)s->series, (unsigned long long)s->rows,
			        (unsigned long long)s->mem_rows, (unsigned long long)s->partitions,
			        (unsigned long long)s->segments, (unsigned long long)s->bytes);
		} else {
			fprintf(f, "\ntable %s\n", t->name);
			fprintf(f, "  series %llu, rows %llu in segments + %llu in memory, partitions %llu, "
			        "segments %llu, %llu bytes\n",
			        (unsigned long long)s->series, (unsigned long long)s->rows,
			        (unsigned long long)s->mem_rows, (unsigned long long)s->partitions,
			        (unsigned long long)s->segments, (unsigned long long)s->bytes);
			fprintf(f, "  %-24s %-9s %-5s %12s %12s %11s  %s\n", "column", "type", "kind",
			        "values", "bytes", "bytes/value", "codecs (share of blocks)");
		}
		first_t = false;
		for (uint32_t c = 0; c < t->ncols; c++) {
			const Column *col = &t->cols[c];
			const ColStat *cs = &s->cols[c];
			const char *kind = col->kind == COL_TIME ? "time" : col->kind == COL_TAG ? "tag"
			                                                                        : "field";
			double bpv = cs->values ? (double)cs->bytes / (double)cs->values : 0.0;
			if (json) {
				fprintf(f, "%s{\"name\":", c ? "," : "");
				json_str(f, col->name, col->len);
				fprintf(f, ",\"type\":\"%s\",\"kind\":\"%s\"", stele_type_name(col->type), kind);
				if (col->kind == COL_TAG) {
					uint32_t nv = i < db->sx.ntables && col->tagord < db->sx.tables[i].ntags
					                  ? db->sx.tables[i].dicts[col->tagord].n
					                  : 0;
					fprintf(f, ",\"distinct_values\":%u}", nv);
					continue;
				}
				fprintf(f, ",\"values\":%llu,\"bytes\":%llu,\"bytes_per_value\":%.4f,\"codecs\":",
				        (unsigned long long)cs->values, (unsigned long long)cs->bytes, bpv);
				codec_list(f, cs, true);
				fputc('}', f);
			} else {
				fprintf(f, "  %-24s %-9s %-5s ", col->name, stele_type_name(col->type), kind);
				if (col->kind == COL_TAG) {
					uint32_t nv = i < db->sx.ntables && col->tagord < db->sx.tables[i].ntags
					                  ? db->sx.tables[i].dicts[col->tagord].n
					                  : 0;
					fprintf(f, "%12u distinct values (in the series index)\n", nv);
					continue;
				}
				fprintf(f, "%12llu %12llu %11.4f  ", (unsigned long long)cs->values,
				        (unsigned long long)cs->bytes, bpv);
				codec_list(f, cs, false);
				fputc('\n', f);
			}
		}
		if (json)
			fprintf(f, "]}");
	}
	if (json)
		fprintf(f, "]}\n");
	for (uint32_t i = 0; i < cat->ntables; i++)
		free(ts[i].cols);
	free(ts);
	stele_close(db, NULL);
	return 0;
}
