/*
 * rng.h - the benchmark generators' random numbers (gen_devops.c,
 * gen_iot.c): xoshiro256** seeded through splitmix64, written here so that
 * the same seed gives byte-identical data on every machine and libc.
 */
#ifndef STELE_BENCH_RNG_H
#define STELE_BENCH_RNG_H

#include <stdint.h>

typedef struct Rng {
	uint64_t s[4];
} Rng;

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void rng_seed(Rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(Rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static inline double rng_unit(Rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

#endif
