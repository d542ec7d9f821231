/*
 * dbreg.c - open databases by name (dbreg.h). A mutex guards the list; an
 * open is done under it, so two requests that name a new database at once
 * open it once.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server/dbreg.h"

typedef struct Entry {
	char name[DBREG_NAME_MAX + 1];
	stele_db *db;
} Entry;

struct DbReg {
	char root[PATH_MAX];
	stele_options opts;
	pthread_mutex_t mu;
	Entry *a;
	uint32_t n, cap;
};

int dbreg_new(const char *root, const stele_options *opts, DbReg **out, StErr *err)
{
	struct stat sb;
	if (stat(root, &sb) != 0) {
		if (errno != ENOENT || mkdir(root, 0755) != 0)
			return failf(err, err_from_errno(errno), "could not create data directory \"%s\": %s",
			             root, strerror(errno));
	} else if (!S_ISDIR(sb.st_mode)) {
		return failf(err, STELE_EINVAL, "data directory \"%s\" is not a directory", root);
	}
	DbReg *r = calloc(1, sizeof *r);
	if (!r)
		return failf(err, STELE_ENOMEM, "out of memory");
	snprintf(r->root, sizeof r->root, "%s", root);
	r->opts = *opts;
	pthread_mutex_init(&r->mu, NULL);
	*out = r;
	return STELE_OK;
}

int dbreg_free(DbReg *r, StErr *err)
{
	if (!r)
		return STELE_OK;
	int first = STELE_OK;
	for (uint32_t i = 0; i < r->n; i++) {
		StErr e = {0};
		int rc = stele_close(r->a[i].db, &e);
		if (rc != STELE_OK && first == STELE_OK)
			first = failf(err, rc, "database \"%s\": %s", r->a[i].name, e.msg);
	}
	free(r->a);
	pthread_mutex_destroy(&r->mu);
	free(r);
	return first;
}

int dbreg_check_name(const char *name, StErr *err)
{
	size_t n = strlen(name);
	if (n == 0)
		return failf(err, STELE_EINVAL, "database name is empty");
	if (n > DBREG_NAME_MAX)
		return failf(err, STELE_EINVAL, "database name is longer than %d bytes", DBREG_NAME_MAX);
	if (name[0] == '-')
		return failf(err, STELE_EINVAL, "invalid database name \"%s\": it may not start with '-'",
		             name);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		          c == '_' || c == '-';
		if (!ok)
			return failf(err, STELE_EINVAL,
			             "invalid database name \"%.64s\": only letters, digits, '_' and '-' "
			             "are allowed", name);
	}
	return STELE_OK;
}

int dbreg_get(DbReg *r, const char *name, bool create, stele_db **out, StErr *err)
{
	int rc = dbreg_check_name(name, err);
	if (rc)
		return rc;
	pthread_mutex_lock(&r->mu);
	for (uint32_t i = 0; i < r->n; i++)
		if (strcmp(r->a[i].name, name) == 0) {
			*out = r->a[i].db;
			pthread_mutex_unlock(&r->mu);
			return STELE_OK;
		}
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", r->root, name);
	struct stat sb;
	if (!create && stat(path, &sb) != 0) {
		pthread_mutex_unlock(&r->mu);
		return failf(err, STELE_ENOENT, "database \"%s\" does not exist", name);
	}
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 8;
		Entry *a = realloc(r->a, cap * sizeof *a);
		if (!a) {
			pthread_mutex_unlock(&r->mu);
			return failf(err, STELE_ENOMEM, "out of memory");
		}
		r->a = a;
		r->cap = cap;
	}
	stele_options o = r->opts;
	o.create = create;
	stele_db *db;
	rc = stele_open(path, &o, &db, err);
	if (rc == STELE_OK) {
		Entry *e = &r->a[r->n++];
		snprintf(e->name, sizeof e->name, "%s", name);
		e->db = db;
		*out = db;
	} else {
		err_prefix(err, "database \"%s\"", name);
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

void dbreg_each(DbReg *r, void (*fn)(void *arg, const char *name, stele_db *db), void *arg)
{
	pthread_mutex_lock(&r->mu);
	for (uint32_t i = 0; i < r->n; i++)
		fn(arg, r->a[i].name, r->a[i].db);
	pthread_mutex_unlock(&r->mu);
}
