/*
 * db.c - opening and closing a database, the write path, flushing, and the
 * background threads (see db.h for the locks and the life of a write).
 */
#include "storage/db.h"
#include "util/pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/lp.h"
#include "storage/batch.h"
#include "util/io.h"
#include "util/log.h"
#include "util/timeutil.h"

#define DEFAULT_MEMTABLE (64u << 20)
#define FLUSH_WINDOW 65536
#define ZSTD_LEVEL 3

void stele_options_init(stele_options *o)
{
	memset(o, 0, sizeof *o);
	o->sync = STELE_SYNC_ALWAYS;
	o->sync_interval_ms = 100;
	o->memtable_bytes = DEFAULT_MEMTABLE;
	o->partition_ns = NS_PER_DAY;
	o->create = true;
	o->background = true;
	o->query_memory = (size_t)1 << 30;
}

int stele_parse_sync(const char *text, stele_options *o, stele_err *err)
{
	if (strcmp(text, "always") == 0) {
		o->sync = STELE_SYNC_ALWAYS;
		return STELE_OK;
	}
	if (strcmp(text, "none") == 0) {
		o->sync = STELE_SYNC_NONE;
		return STELE_OK;
	}
	if (strncmp(text, "interval=", 9) == 0) {
		int64_t ns;
		StErr e;
		if (time_parse_duration(text + 9, &ns, &e) == STELE_OK && ns >= NS_PER_MS &&
		    ns <= 3600 * NS_PER_S) {
			o->sync = STELE_SYNC_INTERVAL;
			o->sync_interval_ms = (uint32_t)(ns / NS_PER_MS);
			return STELE_OK;
		}
	}
	return failf(err, STELE_EINVAL,
	             "invalid sync policy \"%s\": expected always, none or interval=DURATION "
	             "(1ms to 1h, e.g. interval=100ms)",
	             text);
}

int stele_parse_precision(const char *text, stele_precision *out, stele_err *err)
{
	static const struct {
		const char *name;
		stele_precision p;
	} names[] = {{"ns", STELE_PRECISION_NS}, {"n", STELE_PRECISION_NS},
	             {"us", STELE_PRECISION_US}, {"u", STELE_PRECISION_US},
	             {"\xc2\xb5", STELE_PRECISION_US}, {"ms", STELE_PRECISION_MS},
	             {"s", STELE_PRECISION_S}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(text, names[i].name) == 0) {
			*out = names[i].p;
			return STELE_OK;
		}
	}
	return failf(err, STELE_EINVAL, "invalid precision \"%s\": expected ns, us, ms or s", text);
}

const char *stele_type_name(stele_type t)
{
	switch (t) {
	case STELE_TYPE_DOUBLE:
		return "double";
	case STELE_TYPE_BIGINT:
		return "bigint";
	case STELE_TYPE_UBIGINT:
		return "ubigint";
	case STELE_TYPE_BOOLEAN:
		return "boolean";
	case STELE_TYPE_VARCHAR:
		return "varchar";
	case STELE_TYPE_TIMESTAMP:
		return "timestamp";
	case STELE_TYPE_INTERVAL:
		return "interval";
	default:
		return "none";
	}
}

int64_t db_partition_start(int64_t ts, int64_t partition_ns)
{
	__int128 p = (__int128)time_floor_div(ts, partition_ns) * partition_ns;
	return p < INT64_MIN ? INT64_MIN : (int64_t)p;
}

uint32_t db_table_id(stele_db *db, const char *name)
{
	pthread_mutex_lock(&db->mu);
	const Table *t = catalog_find(&db->cat, name, strlen(name));
	uint32_t id = t ? t->id : UINT32_MAX;
	pthread_mutex_unlock(&db->mu);
	return id;
}

/* ---- publishing and flushing ---- */

int db_publish(stele_db *db, Segment *const *add, uint32_t nadd, Segment *const *drop,
               uint32_t ndrop, uint64_t checkpoint, uint64_t next_seg_id, MemTable *flushed,
               bool *in_doubt, StErr *err)
{
	*in_doubt = false;
	pthread_mutex_lock(&db->mu);
	/* Ids handed to this attempt are burned whatever happens: a retry must
	 * never overwrite a file that a manifest in doubt may name. */
	if (next_seg_id > db->ms.next_seg_id)
		db->ms.next_seg_id = next_seg_id;
	Version *cur = db->version;
	Segment **segs = malloc(((size_t)cur->nsegs + nadd + 1) * sizeof *segs);
	int rc = STELE_OK;
	Version *nv = NULL;
	if (!segs) {
		rc = failf(err, STELE_ENOMEM, "out of memory publishing segments");
		goto done;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < cur->nsegs; i++) {
		bool dropped = false;
		for (uint32_t j = 0; j < ndrop && !dropped; j++)
			dropped = cur->segs[i] == drop[j];
		/* Segments of a dropped table leave with the next manifest (their
		 * files go with the next compaction or the open's sweep). */
		if (!catalog_table(&db->cat, cur->segs[i]->info.table))
			dropped = true;
		if (!dropped)
			segs[n++] = cur->segs[i];
	}
	for (uint32_t i = 0; i < nadd; i++)
		segs[n++] = add[i];
	nv = version_new(segs, n);
	free(segs);
	if (!nv) {
		rc = failf(err, STELE_ENOMEM, "out of memory publishing segments");
		goto done;
	}
	/* Every series a segment refers to must be in series.dat before the
	 * manifest that lists the segment. */
	rc = series_log_append(&db->sx, db->path, err);
	if (rc)
		goto done;
	ManifestState ms = db->ms;
	ms.number++;
	ms.checkpoint = checkpoint > ms.checkpoint ? checkpoint : ms.checkpoint;
	ms.next_seg_id = next_seg_id > ms.next_seg_id ? next_seg_id : ms.next_seg_id;
	ms.series_len = db->sx.file_len;
	/* Tombstones still needed: some live segment (or the memtable waiting
	 * to be flushed) older than the delete holds rows it may kill. */
	bool *needed = calloc((size_t)db->ntombs + 1, sizeof *needed);
	Tomb *live = malloc(((size_t)db->ntombs + 1) * sizeof *live);
	if (!needed || !live) {
		free(needed);
		free(live);
		rc = failf(err, STELE_ENOMEM, "out of memory publishing segments");
		goto done;
	}
	uint32_t nlive = 0;
	for (uint32_t t = 0; t < db->ntombs; t++) {
		const Tomb *tb = &db->tombs[t];
		bool need = catalog_table(&db->cat, tb->table) && db->imm && db->imm != flushed &&
		            db->imm->max_seq < tb->seq;
		for (uint32_t i = 0; i < nv->nsegs && !need && catalog_table(&db->cat, tb->table); i++) {
			const SegInfo *si = &nv->segs[i]->info;
			need = si->table == tb->table && seg_reflects(si) < tb->seq &&
			       si->max_ts >= tb->tmin && si->min_ts <= tb->tmax;
		}
		needed[t] = need;
		if (need)
			live[nlive++] = *tb;
	}
	rc = manifest_write(db->path, &ms, &db->cat, nv, live, nlive, in_doubt, err);
	free(live);
	if (rc) {
		free(needed);
		goto done;
	}
	/* Written: forget the tombstones no longer needed. */
	uint32_t keep = 0;
	for (uint32_t t = 0; t < db->ntombs; t++) {
		if (needed[t])
			db->tombs[keep++] = db->tombs[t];
		else
			tomb_free(&db->tombs[t]);
	}
	db->ntombs = keep;
	free(needed);
	db->ms = ms;
	db->version = nv;
	nv = NULL;
	version_unref(cur);
	if (flushed && db->imm == flushed) {
		db->imm = NULL;
		mem_unref(flushed);
	}
	pthread_cond_broadcast(&db->cv);
done:
	version_unref(nv);
	pthread_mutex_unlock(&db->mu);
	return rc;
}

typedef struct PartWriter {
	int64_t part;
	SegWriter *w;
} PartWriter;

/* One thread's share of a table's flush: rows order[from..to) of t. */
typedef struct FlushPart {
	stele_db *db;
	const MemTbl *t;
	const Table *tab;
	const uint32_t *order;
	uint32_t from, to;
	const uint32_t *cols;
	const uint8_t *types;
	uint32_t nf;
	uint64_t max_seq;
	uint64_t applied_seq;         /* deletes the memtable reflects */
	uint64_t id0, id_step, nids;  /* segment ids id0 + k * id_step, k < nids */
	SegInfo *infos;               /* malloc'd */
	uint32_t ninfos;
	int rc;
	StErr err;
} FlushPart;

#define PARALLEL_FLUSH_ROWS 200000

/* Writes rows order[from..to) of a table to segments, one per partition. */
static void *flush_part(void *arg)
{
	FlushPart *fp = arg;
	const MemTbl *t = fp->t;
	const Table *tab = fp->tab;
	StErr *err = &fp->err;
	PartWriter *pw = NULL;
	uint32_t npw = 0;
	Rows rows;
	int rc = rows_init(&rows, fp->nf, fp->cols, fp->types);
	if (rc)
		rc = failf(err, STELE_ENOMEM, "out of memory flushing");
	for (uint32_t i = fp->from; rc == STELE_OK && i < fp->to;) {
		/* A window of about FLUSH_WINDOW rows that ends where the sid
		 * changes, or at least where the timestamp does. */
		const uint32_t *order = fp->order, n = fp->to;
		uint32_t j = n - i > FLUSH_WINDOW ? i + FLUSH_WINDOW : n;
		while (j < n && t->sid[order[j]] == t->sid[order[j - 1]] && j - i < 4 * FLUSH_WINDOW)
			j++;
		while (j < n && t->sid[order[j]] == t->sid[order[j - 1]] &&
		       t->ts[order[j]] == t->ts[order[j - 1]])
			j++;
		rows_clear(&rows);
		rc = mem_gather(t, order, i, j, &rows, err);
		i = j;
		for (uint32_t a = 0; rc == STELE_OK && a < rows.n;) {
			int64_t part = db_partition_start(rows.ts[a], tab->partition_ns);
			uint32_t b = a + 1;
			while (b < rows.n && rows.sid[b] == rows.sid[a] &&
			       db_partition_start(rows.ts[b], tab->partition_ns) == part)
				b++;
			SegWriter *w = NULL;
			for (uint32_t k = 0; k < npw && !w; k++)
				if (pw[k].part == part)
					w = pw[k].w;
			if (!w) {
				PartWriter *p = realloc(pw, (npw + 1) * sizeof *p);
				if (!p) {
					rc = failf(err, STELE_ENOMEM, "out of memory flushing");
					break;
				}
				pw = p;
				uint64_t id = fp->id0 + fp->nids++ * fp->id_step;
				rc = segw_open(fp->db->path, tab->id, part, id, fp->nf, fp->cols, fp->types,
				               ZSTD_LEVEL, &w, err);
				if (rc)
					break;
				pw[npw].part = part;
				pw[npw++].w = w;
			}
			rc = segw_add(w, &rows, a, b, err);
			a = b;
		}
	}
	fp->infos = calloc(npw + 1, sizeof *fp->infos);
	if (rc == STELE_OK && !fp->infos)
		rc = failf(err, STELE_ENOMEM, "out of memory flushing");
	for (uint32_t k = 0; k < npw; k++) {
		if (rc) {
			segw_abort(pw[k].w);
			continue;
		}
		rc = segw_finish(pw[k].w, &fp->infos[fp->ninfos], err);
		if (rc == STELE_OK) {
			fp->infos[fp->ninfos].applied_seq = fp->applied_seq;
			fp->infos[fp->ninfos++].max_seq = fp->max_seq;
		}
	}
	free(pw);
	rows_free(&rows);
	fp->rc = rc;
	return NULL;
}

/* Appends the infos of a finished part to *infos (or removes its files). */
static int take_part(stele_db *db, FlushPart *fp, int rc, SegInfo **infos, uint32_t *ninfos,
                     StErr *err)
{
	if (rc == STELE_OK && fp->rc)
		rc = failf(err, fp->rc, "%s", fp->err.msg);
	SegInfo *si = rc ? NULL : realloc(*infos, (*ninfos + fp->ninfos + 1) * sizeof *si);
	if (rc == STELE_OK && !si)
		rc = failf(err, STELE_ENOMEM, "out of memory flushing");
	if (rc == STELE_OK) {
		memcpy(si + *ninfos, fp->infos, fp->ninfos * sizeof *si);
		*infos = si;
		*ninfos += fp->ninfos;
	} else {
		for (uint32_t k = 0; k < fp->ninfos; k++) {
			char path[PATH_MAX];
			seg_path(path, sizeof path, db->path, fp->infos[k].table, fp->infos[k].part_start,
			         fp->infos[k].id);
			unlink(path);
		}
	}
	free(fp->infos);
	return rc;
}

/* Writes one table's rows of an immutable memtable to segments, one per
 * partition, in two threads for a large table (each writes the series of
 * its half, so a partition may get two segments); appends their infos to
 * *infos. */
static int flush_table(stele_db *db, const MemTbl *t, const Table *tab, uint64_t max_seq,
                       uint64_t applied_seq, uint64_t *next_id, SegInfo **infos,
                       uint32_t *ninfos, StErr *err)
{
	uint32_t cols[CATALOG_MAX_COLUMNS];
	uint8_t types[CATALOG_MAX_COLUMNS];
	uint32_t nf = table_fields(tab, cols, types);
	uint32_t *order = NULL, n = 0;
	int rc = mem_order(t, &order, &n, err);
	if (rc)
		return rc;
	FlushPart parts[2];
	for (int k = 0; k < 2; k++)
		parts[k] = (FlushPart){.db = db, .t = t, .tab = tab, .order = order, .cols = cols,
		                       .types = types, .nf = nf, .max_seq = max_seq,
		                       .applied_seq = applied_seq, .id0 = *next_id + (uint64_t)k,
		                       .id_step = 2};
	/* Split at a sid boundary near the middle. */
	uint32_t mid = n;
	if (n >= PARALLEL_FLUSH_ROWS) {
		mid = n / 2;
		while (mid < n && t->sid[order[mid]] == t->sid[order[mid - 1]])
			mid++;
	}
	parts[0].from = 0;
	parts[0].to = mid;
	parts[1].from = mid;
	parts[1].to = n;
	pthread_t th;
	bool two = mid < n && pthread_create(&th, NULL, flush_part, &parts[1]) == 0;
	if (!two)
		parts[0].to = n;
	flush_part(&parts[0]);
	if (two)
		pthread_join(th, NULL);
	rc = take_part(db, &parts[0], STELE_OK, infos, ninfos, err);
	if (two)
		rc = take_part(db, &parts[1], rc, infos, ninfos, err);
	uint64_t used = parts[0].nids > parts[1].nids ? parts[0].nids : parts[1].nids;
	*next_id += 2 * used;
	free(order);
	return rc;
}

static void remove_segment_files(stele_db *db, const SegInfo *infos, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		seg_path(path, sizeof path, db->path, infos[i].table, infos[i].part_start, infos[i].id);
		unlink(path);
	}
}

int db_flush_imm(stele_db *db, StErr *err)
{
	StErr local;
	if (!err)
		err = &local; /* bg_msg needs the message */
	pthread_mutex_lock(&db->maint_mu);
	pthread_mutex_lock(&db->mu);
	MemTable *imm = db->imm;
	Catalog cat;
	int rc = STELE_OK;
	/* Every delete so far is in the memtable's rows (deletes change the
	 * memtables at once), so its segments reflect them all. */
	uint64_t applied = 0;
	for (uint32_t i = 0; i < db->ntombs; i++)
		if (db->tombs[i].seq > applied)
			applied = db->tombs[i].seq;
	if (imm) {
		mem_ref(imm);
		rc = catalog_copy(&db->cat, &cat, err);
	}
	uint64_t next_id = db->ms.next_seg_id;
	pthread_mutex_unlock(&db->mu);
	if (!imm || rc) {
		if (imm)
			mem_unref(imm);
		pthread_mutex_unlock(&db->maint_mu);
		return rc;
	}
	int64_t t0 = time_mono_ns();
	SegInfo *infos = NULL;
	uint32_t ninfos = 0;
	for (uint32_t tid = 0; rc == STELE_OK && tid < imm->ntabs; tid++) {
		const MemTbl *t = imm->tabs[tid];
		/* A dropped table's rows (none should be left) are not written. */
		if (t && t->n > 0 && catalog_table(&cat, tid))
			rc = flush_table(db, t, catalog_table(&cat, tid), imm->max_seq, applied, &next_id,
			                 &infos,
			                 &ninfos, err);
	}
	Segment **segs = calloc(ninfos + 1, sizeof *segs);
	if (rc == STELE_OK && !segs)
		rc = failf(err, STELE_ENOMEM, "out of memory flushing");
	for (uint32_t i = 0; rc == STELE_OK && i < ninfos; i++)
		rc = seg_open(db->path, &infos[i], &segs[i], err);
	if (rc == STELE_OK) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s/data", db->path);
		/* The new files' directory entries must be durable before the
		 * manifest names them. */
		for (uint32_t i = 0; rc == STELE_OK && i < ninfos; i++) {
			seg_dir(dir, sizeof dir, db->path, infos[i].table, infos[i].part_start);
			rc = io_fsync_dir(dir, err);
		}
	}
	bool in_doubt = false;
	if (rc == STELE_OK)
		rc = db_publish(db, segs, ninfos, NULL, 0, imm->max_seq, next_id, imm, &in_doubt, err);
	if (rc == STELE_OK) {
		pthread_mutex_lock(&db->mu);
		db->stats.flushes++;
		db->stats.segments_written += ninfos;
		db->stats.flush_ns += (uint64_t)(time_mono_ns() - t0);
		db->bg_err = 0;
		db->want_compact = true;
		StErr e2;
		if (wal_remove_upto(&db->wal, db->ms.checkpoint, &e2))
			log_warn("could not remove old WAL files: %s", e2.msg);
		pthread_mutex_unlock(&db->mu);
	} else {
		if (!in_doubt)
			remove_segment_files(db, infos, ninfos);
		pthread_mutex_lock(&db->mu);
		db->bg_err = rc;
		snprintf(db->bg_msg, sizeof db->bg_msg, "flush failed: %s", err->msg);
		pthread_cond_broadcast(&db->cv);
		pthread_mutex_unlock(&db->mu);
	}
	for (uint32_t i = 0; i < ninfos; i++)
		if (segs && segs[i])
			seg_unref(segs[i]);
	free(segs);
	free(infos);
	catalog_free(&cat);
	mem_unref(imm);
	pthread_mutex_unlock(&db->maint_mu);
	return rc;
}

/* Makes the active memtable the immutable one and starts a new WAL file.
 * Caller holds mu; db->imm is NULL. */
static int switch_memtable(stele_db *db, StErr *err)
{
	if (db->mem->max_seq == 0)
		return STELE_OK;
	MemTable *fresh = mem_new();
	if (!fresh)
		return failf(err, STELE_ENOMEM, "out of memory starting a memtable");
	if (!db->opts.read_only) {
		int rc = wal_rotate(&db->wal, db->seq + 1, err);
		if (rc) {
			mem_unref(fresh);
			return rc;
		}
	}
	db->imm = db->mem;
	db->mem = fresh;
	pthread_cond_broadcast(&db->cv);
	return STELE_OK;
}

/* Waits (under mu) until the active memtable has room, switching it when it
 * is full. Writers wait here while a flush is behind: memory stays bounded. */
int db_make_room(stele_db *db, StErr *err)
{
	while (db->mem->bytes >= db->opts.memtable_bytes) {
		if (db->fatal)
			return failf(err, db->fatal, "%s", db->fatal_msg);
		if (!db->imm) {
			int rc = switch_memtable(db, err);
			if (rc || db->opts.background || !db->imm)
				return rc;
			/* Without background threads, flush it here. */
			pthread_mutex_unlock(&db->mu);
			rc = db_flush_imm(db, err);
			pthread_mutex_lock(&db->mu);
			return rc;
		}
		if (!db->opts.background) {
			pthread_mutex_unlock(&db->mu);
			int rc = db_flush_imm(db, err);
			pthread_mutex_lock(&db->mu);
			if (rc)
				return rc;
			continue;
		}
		if (db->bg_err)
			return failf(err, db->bg_err, "memtable full and %s", db->bg_msg);
		pthread_cond_wait(&db->cv, &db->mu);
	}
	return STELE_OK;
}

int db_flush_all(stele_db *db, StErr *err)
{
	pthread_mutex_lock(&db->mu);
	int rc = STELE_OK;
	while (db->imm && rc == STELE_OK) {
		pthread_mutex_unlock(&db->mu);
		rc = db_flush_imm(db, err);
		pthread_mutex_lock(&db->mu);
	}
	if (rc == STELE_OK)
		rc = switch_memtable(db, err);
	pthread_mutex_unlock(&db->mu);
	if (rc == STELE_OK)
		rc = db_flush_imm(db, err);
	return rc;
}

int stele_flush(stele_db *db, stele_err *err)
{
	if (db->opts.read_only)
		return failf(err, STELE_EREADONLY, "database \"%s\" is open read-only", db->path);
	return db_flush_all(db, err);
}

int stele_compact(stele_db *db, stele_err *err)
{
	if (db->opts.read_only)
		return failf(err, STELE_EREADONLY, "database \"%s\" is open read-only", db->path);
	return db_compact(db, 2, err);
}

/* ---- background threads ---- */

static void *bg_main(void *arg)
{
	stele_db *db = arg;
	pthread_mutex_lock(&db->mu);
	while (!db->stopping) {
		if (db->imm && !db->bg_err) {
			pthread_mutex_unlock(&db->mu);
			StErr e;
			if (db_flush_imm(db, &e))
				log_error("%s", e.msg);
			pthread_mutex_lock(&db->mu);
			continue;
		}
		if (db->want_compact && !db->bg_err) {
			db->want_compact = false;
			pthread_mutex_unlock(&db->mu);
			StErr e;
			if (db_compact(db, COMPACT_MIN_SEGMENTS, &e))
				log_error("compaction failed: %s", e.msg);
			pthread_mutex_lock(&db->mu);
			continue;
		}
		/* Wake up at least every second: a flush that failed (a full
		 * disk, say) is tried again, so ingest resumes by itself. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&db->cv, &db->mu, &until);
		if (db->bg_err && db->imm)
			db->bg_err = 0;
	}
	pthread_mutex_unlock(&db->mu);
	return NULL;
}

static void *syncer_main(void *arg)
{
	stele_db *db = arg;
	pthread_mutex_lock(&db->mu);
	while (!db->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)db->opts.sync_interval_ms * NS_PER_MS;
		until.tv_sec += (time_t)(ns / NS_PER_S);
		until.tv_nsec = (long)(ns % NS_PER_S);
		pthread_cond_timedwait(&db->cv, &db->mu, &until);
		if (db->stopping)
			break;
		uint64_t seq = db->seq;
		pthread_mutex_unlock(&db->mu);
		StErr e;
		if (wal_sync_to(&db->wal, seq, &e))
			log_error("%s", e.msg);
		pthread_mutex_lock(&db->mu);
		if (db->wal.failed && !db->fatal) {
			db->fatal = STELE_EREADONLY;
			snprintf(db->fatal_msg, sizeof db->fatal_msg, "%s", db->wal.failmsg);
		}
	}
	pthread_mutex_unlock(&db->mu);
	return NULL;
}

/* ---- open and close ---- */

static int replay_record(void *ctx, uint64_t seq, uint8_t type, const uint8_t *p, size_t len,
                         StErr *err)
{
	stele_db *db = ctx;
	if (type != WAL_BATCH)
		return failf(err, STELE_ECORRUPT, "unknown WAL record type %u", type);
	uint64_t nrows;
	TombList deletes = {0};
	int rc = batch_apply(&db->cat, &db->sx, db->mem, p, len, true, &nrows, &deletes, err);
	for (uint32_t i = 0; rc == STELE_OK && i < deletes.n; i++) {
		/* A delete the manifest may already hold (it was in effect when
		 * the manifest was written): keep one. */
		bool have = false;
		for (uint32_t k = 0; k < db->ntombs && !have; k++)
			have = db->tombs[k].seq == seq;
		deletes.v[i].seq = seq;
		if (!have)
			rc = db_add_tomb(db, &deletes.v[i], err);
	}
	tomblist_free(&deletes);
	if (rc)
		return err_prefix(err, "WAL record %llu", (unsigned long long)seq);
	if (!db->mem->min_seq)
		db->mem->min_seq = seq;
	db->mem->max_seq = seq;
	db->seq = seq;
	if (db->mem->bytes >= db->opts.memtable_bytes && !db->opts.read_only) {
		/* A long WAL: flush as we go, so memory stays bounded. */
		db->imm = db->mem;
		db->mem = mem_new();
		if (!db->mem)
			return failf(err, STELE_ENOMEM, "out of memory replaying the WAL");
		rc = db_flush_imm(db, err);
	}
	return rc;
}

/* Removes segment files and directories that the manifest does not list
 * (left by a crash between writing them and publishing). */
static void remove_orphans(stele_db *db)
{
	char data[PATH_MAX];
	snprintf(data, sizeof data, "%s/data", db->path);
	DIR *d = opendir(data);
	if (!d)
		return;
	struct dirent *te;
	while ((te = readdir(d)) != NULL) {
		if (te->d_name[0] == '.')
			continue;
		char tdir[PATH_MAX];
		snprintf(tdir, sizeof tdir, "%s/%s", data, te->d_name);
		DIR *td = opendir(tdir);
		if (!td)
			continue;
		struct dirent *pe;
		while ((pe = readdir(td)) != NULL) {
			if (pe->d_name[0] == '.')
				continue;
			char pdir[PATH_MAX];
			snprintf(pdir, sizeof pdir, "%s/%s", tdir, pe->d_name);
			DIR *pd = opendir(pdir);
			if (!pd)
				continue;
			struct dirent *fe;
			int left = 0;
			while ((fe = readdir(pd)) != NULL) {
				if (fe->d_name[0] == '.')
					continue;
				char fpath[PATH_MAX];
				snprintf(fpath, sizeof fpath, "%s/%s", pdir, fe->d_name);
				bool live = false;
				for (uint32_t i = 0; i < db->version->nsegs && !live; i++)
					live = strcmp(db->version->segs[i]->path, fpath) == 0;
				if (live) {
					left++;
				} else {
					log_info("removing unpublished file \"%s\"", fpath);
					unlink(fpath);
				}
			}
			closedir(pd);
			if (!left)
				rmdir(pdir);
		}
		closedir(td);
		rmdir(tdir); /* only succeeds when empty */
	}
	closedir(d);
}

Pool *db_query_pool(stele_db *db)
{
	pthread_mutex_lock(&db->pool_mu);
	if (!db->qpool_tried) {
		db->qpool_tried = true;
		uint32_t n = db->opts.query_threads ? db->opts.query_threads : pool_cpus();
		if (n > 1 && pool_new(n - 1, &db->qpool, NULL) != STELE_OK)
			db->qpool = NULL; /* then queries run on one thread */
	}
	Pool *p = db->qpool;
	pthread_mutex_unlock(&db->pool_mu);
	return p;
}

int db_add_tomb(stele_db *db, const Tomb *t, StErr *err)
{
	if (db->ntombs == db->cap_tombs) {
		uint32_t cap = db->cap_tombs ? db->cap_tombs * 2 : 8;
		Tomb *v = realloc(db->tombs, cap * sizeof *v);
		if (!v)
			return failf(err, STELE_ENOMEM, "out of memory recording a delete");
		db->tombs = v;
		db->cap_tombs = cap;
	}
	int rc = tomb_copy(t, &db->tombs[db->ntombs], err);
	if (rc == STELE_OK)
		db->ntombs++;
	return rc;
}

int db_tombset(stele_db *db, uint32_t table, TombSet *out, StErr *err)
{
	memset(out, 0, sizeof *out);
	uint32_t n = 0;
	for (uint32_t i = 0; i < db->ntombs; i++)
		n += db->tombs[i].table == table;
	if (n == 0)
		return STELE_OK;
	out->tombs = calloc(n, sizeof *out->tombs);
	out->bits = calloc(n, sizeof *out->bits);
	out->nbits = calloc(n, sizeof *out->nbits);
	if (!out->tombs || !out->bits || !out->nbits) {
		tombset_free(out);
		return failf(err, STELE_ENOMEM, "out of memory reading deletes");
	}
	for (uint32_t i = 0; i < db->ntombs; i++) {
		const Tomb *t = &db->tombs[i];
		if (t->table != table)
			continue;
		uint32_t k = out->n;
		int rc = tomb_copy(t, &out->tombs[k], err);
		uint32_t *sids = NULL, ns = 0;
		if (rc == STELE_OK)
			rc = series_match(&db->sx, table, t->preds, t->npreds, &sids, &ns, err);
		if (rc == STELE_OK) {
			uint32_t nb = ns ? sids[ns - 1] + 1 : 0;
			out->bits[k] = calloc(nb / 64 + 1, sizeof **out->bits);
			if (!out->bits[k])
				rc = failf(err, STELE_ENOMEM, "out of memory reading deletes");
			for (uint32_t j = 0; rc == STELE_OK && j < ns; j++)
				out->bits[k][sids[j] / 64] |= 1ull << (sids[j] % 64);
			out->nbits[k] = nb;
		}
		free(sids);
		out->n++;
		if (rc) {
			tombset_free(out);
			return rc;
		}
	}
	return STELE_OK;
}

static void db_free(stele_db *db)
{
	pool_free(db->qpool);
	for (uint32_t i = 0; i < db->ntombs; i++)
		tomb_free(&db->tombs[i]);
	free(db->tombs);
	if (db->lockfd >= 0)
		close(db->lockfd);
	catalog_free(&db->cat);
	series_free(&db->sx);
	mem_unref(db->mem);
	mem_unref(db->imm);
	version_unref(db->version);
	wal_close(&db->wal);
	buf_free(&db->pending);
	buf_free(&db->rec);
	buf_free(&db->rows);
	for (int i = 0; i < db->npool; i++) {
		lp_batch_free(db->pool[i]);
		free(db->pool[i]);
	}
	pthread_mutex_destroy(&db->mu);
	pthread_mutex_destroy(&db->maint_mu);
	pthread_mutex_destroy(&db->pool_mu);
	pthread_cond_destroy(&db->cv);
	free(db);
}

int stele_open(const char *path, const stele_options *opts, stele_db **out, stele_err *err)
{
	*out = NULL;
	stele_db *db = calloc(1, sizeof *db);
	if (!db)
		return failf(err, STELE_ENOMEM, "out of memory opening a database");
	db->lockfd = -1;
	if (opts)
		db->opts = *opts;
	else
		stele_options_init(&db->opts);
	if (!db->opts.memtable_bytes)
		db->opts.memtable_bytes = DEFAULT_MEMTABLE;
	if (db->opts.partition_ns <= 0)
		db->opts.partition_ns = NS_PER_DAY;
	if (db->opts.sync == STELE_SYNC_INTERVAL && !db->opts.sync_interval_ms)
		db->opts.sync_interval_ms = 100;
	pthread_mutex_init(&db->mu, NULL);
	pthread_mutex_init(&db->maint_mu, NULL);
	pthread_mutex_init(&db->pool_mu, NULL);
	pthread_cond_init(&db->cv, NULL);
	series_init(&db->sx);
	wal_init(&db->wal, path);
	int rc = STELE_OK;
	if (strlen(path) >= sizeof db->path - 64) {
		rc = failf(err, STELE_EINVAL, "database path is too long");
		goto fail;
	}
	snprintf(db->path, sizeof db->path, "%s", path);

	struct stat st;
	if (stat(path, &st) != 0) {
		if (!db->opts.create || db->opts.read_only) {
			rc = failf(err, STELE_ENOENT, "database \"%s\" does not exist", path);
			goto fail;
		}
		rc = io_mkdir(path, err);
		if (rc) {
			err_prefix(err, "could not create database \"%s\"", path);
			goto fail;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		rc = failf(err, STELE_EINVAL, "\"%s\" is not a directory", path);
		goto fail;
	}

	char lockpath[PATH_MAX];
	snprintf(lockpath, sizeof lockpath, "%s/LOCK", path);
	rc = io_open(lockpath, db->opts.read_only ? O_RDONLY : O_RDWR | O_CREAT, 0644, &db->lockfd,
	             err);
	if (rc == STELE_ENOENT)
		rc = failf(err, STELE_ENOENT, "\"%s\" is not a Stele database", path);
	if (rc)
		goto fail;
	if (flock(db->lockfd, (db->opts.read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
		rc = failf(err, STELE_EBUSY, "database \"%s\" is open in another process", path);
		goto fail;
	}

	SegInfo *infos = NULL;
	uint32_t ninfos = 0;
	bool exists;
	rc = manifest_read(path, &db->ms, &db->cat, &infos, &ninfos, &db->tombs, &db->ntombs,
	                   &exists, err);
	if (rc)
		goto fail;
	db->cap_tombs = db->ntombs;
	if (!exists)
		db->ms.next_seg_id = 1;
	Segment **segs = calloc(ninfos + 1, sizeof *segs);
	if (!segs)
		rc = failf(err, STELE_ENOMEM, "out of memory opening a database");
	for (uint32_t i = 0; rc == STELE_OK && i < ninfos; i++)
		rc = seg_open(path, &infos[i], &segs[i], err);
	if (rc == STELE_OK) {
		db->version = version_new(segs, ninfos);
		if (!db->version)
			rc = failf(err, STELE_ENOMEM, "out of memory opening a database");
	}
	for (uint32_t i = 0; segs && i < ninfos; i++)
		if (segs[i])
			seg_unref(segs[i]);
	free(segs);
	free(infos);
	if (rc)
		goto fail;
	if (!db->opts.read_only) {
		remove_orphans(db);
		char tmp[PATH_MAX];
		snprintf(tmp, sizeof tmp, "%s/%s.tmp", path, MANIFEST_FILE);
		unlink(tmp);
	}

	if (db->opts.read_only) {
		/* Read the series log without changing it. */
		char sp[PATH_MAX];
		snprintf(sp, sizeof sp, "%s/%s", path, SERIES_FILE);
		if (db->ms.series_len && io_exists(sp))
			rc = series_open_log(&db->sx, path, db->ms.series_len, err);
	} else {
		rc = series_open_log(&db->sx, path, db->ms.series_len, err);
	}
	if (rc)
		goto fail;

	db->mem = mem_new();
	if (!db->mem) {
		rc = failf(err, STELE_ENOMEM, "out of memory opening a database");
		goto fail;
	}
	if (!db->opts.read_only)
		rc = io_mkdir(db->wal.dir, err);
	if (rc)
		goto fail;
	if (io_exists(db->wal.dir)) {
		uint64_t last;
		db->seq = db->ms.checkpoint;
		rc = wal_replay(&db->wal, db->ms.checkpoint, db->opts.recover, db->opts.read_only,
		                replay_record, db, &last, err);
		if (rc)
			goto fail;
		if (last > db->seq)
			db->seq = last;
	}
	/* The limit applies to series created from now on: replay above
	 * recreated those the database already had. */
	db->sx.max_series = db->opts.max_series;
	if (!db->opts.read_only) {
		rc = wal_rotate(&db->wal, db->seq + 1, err);
		if (rc)
			goto fail;
		if (db->opts.background) {
			if (pthread_create(&db->bg, NULL, bg_main, db) != 0) {
				rc = failf(err, STELE_ENOMEM, "could not start the background thread");
				goto fail;
			}
			db->bg_started = true;
		}
		if (db->opts.sync == STELE_SYNC_INTERVAL) {
			if (pthread_create(&db->syncer, NULL, syncer_main, db) != 0) {
				rc = failf(err, STELE_ENOMEM, "could not start the WAL sync thread");
				goto fail;
			}
			db->syncer_started = true;
		}
	}
	*out = db;
	return STELE_OK;
fail:
	if (db->bg_started || db->syncer_started) {
		pthread_mutex_lock(&db->mu);
		db->stopping = true;
		pthread_cond_broadcast(&db->cv);
		pthread_mutex_unlock(&db->mu);
		if (db->bg_started)
			pthread_join(db->bg, NULL);
		if (db->syncer_started)
			pthread_join(db->syncer, NULL);
	}
	db_free(db);
	return rc;
}

int stele_close(stele_db *db, stele_err *err)
{
	if (!db)
		return STELE_OK;
	pthread_mutex_lock(&db->mu);
	db->stopping = true;
	pthread_cond_broadcast(&db->cv);
	pthread_mutex_unlock(&db->mu);
	if (db->bg_started)
		pthread_join(db->bg, NULL);
	if (db->syncer_started)
		pthread_join(db->syncer, NULL);
	int rc = STELE_OK;
	if (!db->opts.read_only) {
		if (db->fatal) {
			rc = failf(err, db->fatal, "%s", db->fatal_msg);
		} else {
			rc = db_flush_all(db, err);
			if (rc == STELE_OK)
				rc = wal_sync_to(&db->wal, db->seq, err);
		}
	}
	db_free(db);
	return rc;
}
