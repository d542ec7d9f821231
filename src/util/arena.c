/* arena.c - the bump allocator (see arena.h). */
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ArenaBlock {
	ArenaBlock *next;
	size_t size;  /* usable bytes in data */
	size_t used;
	max_align_t data[];
};

void *arena_alloc(Arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	ArenaBlock *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t bs = a->block_size ? a->block_size : 64 * 1024;
		if (bs < n)
			bs = n;
		b = malloc(sizeof *b + bs);
		if (!b)
			return NULL;
		b->size = bs;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	a->used += n;
	return p;
}

void *arena_dup(Arena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n);
	if (q && n)
		memcpy(q, p, n);
	return q;
}

void arena_reset(Arena *a)
{
	ArenaBlock *b = a->head;
	if (!b)
		return;
	/* Keep the oldest block (the last in the list): typically the one
	 * sized for the common case. */
	while (b->next) {
		ArenaBlock *next = b->next;
		free(b);
		b = next;
	}
	b->used = 0;
	a->head = b;
	a->used = 0;
}

void arena_free(Arena *a)
{
	ArenaBlock *b = a->head;
	while (b) {
		ArenaBlock *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}
