/*
 * arena.h - a bump allocator for memory that shares one lifetime (a batch, a
 * statement, a connection). Allocations are 8-byte aligned and stay valid
 * until arena_reset() or arena_free(); nothing is freed piece by piece.
 */
#ifndef STELE_UTIL_ARENA_H
#define STELE_UTIL_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
	ArenaBlock *head;   /* the block being filled; older ones follow */
	size_t block_size;  /* size of new blocks; 0: 64 KiB */
	size_t used;        /* bytes handed out since the last reset */
} Arena;

/* n bytes, or NULL when out of memory. */
void *arena_alloc(Arena *a, size_t n);
/* A copy of n bytes, or NULL. */
void *arena_dup(Arena *a, const void *p, size_t n);
/* Keeps the first block for reuse, frees the others. */
void arena_reset(Arena *a);
void arena_free(Arena *a);

#endif
