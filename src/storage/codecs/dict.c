/*
 * dict.c - CODEC_DICT: strings with few distinct values (tag values, states,
 * units) as a dictionary and one packed code per value. codec.c keeps it only
 * when it is smaller than PLAIN.
 *
 *     OFFSET  SIZE        DESCRIPTION
 *     0       varint      d: distinct strings, 1..n
 *     .       d varints   their lengths, in order of first appearance
 *     .       ...         their bytes, back to back
 *     .       ...         packed vector (pvec.h) of the n codes, each < d
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "storage/codecs/codec_impl.h"
#include "util/hmap.h"

int dict_encode(const StrVec *sv, size_t n, const CodecOpts *o, Buf *out, StErr *err)
{
	HMap map = {0};
	uint64_t *codes = malloc(n * sizeof *codes);
	uint32_t *first = malloc(n * sizeof *first);  /* a value of each entry */
	int rc = STELE_OK;
	if (!codes || !first) {
		rc = failf(err, STELE_ENOMEM, "out of memory encoding %zu strings", n);
		goto done;
	}
	size_t d = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = sv->bytes + sv->offs[i];
		size_t len = sv->offs[i + 1] - sv->offs[i];
		uint64_t h = XXH3_64bits(s, len);
		size_t id = SIZE_MAX;
		for (size_t at = hmap_find(&map, h); at != HMAP_END; at = hmap_next(&map, h, at)) {
			uint32_t e = map.vals[at], j = first[e];
			if (sv->offs[j + 1] - sv->offs[j] == len &&
			    memcmp(sv->bytes + sv->offs[j], s, len) == 0) {
				id = e;
				break;
			}
		}
		if (id == SIZE_MAX) {
			id = d;
			first[d++] = (uint32_t)i;
			if (hmap_put(&map, h, (uint32_t)id) != STELE_OK) {
				rc = failf(err, STELE_ENOMEM, "out of memory encoding %zu strings", n);
				goto done;
			}
		}
		codes[i] = id;
	}
	buf_put_varint(out, d);
	for (size_t e = 0; e < d; e++)
		buf_put_varint(out, sv->offs[first[e] + 1] - sv->offs[first[e]]);
	for (size_t e = 0; e < d; e++)
		buf_put(out, sv->bytes + sv->offs[first[e]],
		        sv->offs[first[e] + 1] - sv->offs[first[e]]);
	PvPlan plan;
	pv_plan(codes, n, o->layout, o->for_zstd, &plan);
	pv_write(out, codes, n, &plan);
done:
	hmap_free(&map);
	free(codes);
	free(first);
	return rc;
}

int dict_decode(Rd *r, size_t n, uint32_t *offs, Buf *strbytes, StErr *err)
{
	uint64_t d = rd_varint(r);
	if (r->bad || d == 0 || d > n || d > rd_left(r))  /* a varint a length */
		return codec_corrupt(err, "dict", "bad dictionary size");
	uint64_t *lens = malloc(((size_t)d + 1) * sizeof *lens);  /* then: starts */
	uint64_t *codes = malloc(n * sizeof *codes);
	int rc = STELE_OK;
	if (!lens || !codes) {
		rc = failf(err, STELE_ENOMEM, "out of memory decoding %zu strings", n);
		goto done;
	}
	uint64_t total = 0;
	for (size_t e = 0; e < d; e++) {
		lens[e] = rd_varint(r);
		total += lens[e];
		if (r->bad || total > rd_left(r)) {
			rc = codec_corrupt(err, "dict", "truncated dictionary");
			goto done;
		}
	}
	const uint8_t *bytes = rd_bytes(r, (size_t)total);
	rc = pv_read(r, n, codes, err);
	if (rc != STELE_OK || !bytes) {
		rc = codec_corrupt(err, "dict", "truncated codes");
		goto done;
	}
	/* lens[e] becomes the start of entry e; lens[d] the end. */
	uint64_t at = 0;
	for (size_t e = 0; e <= d; e++) {
		uint64_t len = e < d ? lens[e] : 0;
		lens[e] = at;
		at += len;
	}
	uint64_t out = 0;
	offs[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (codes[i] >= d) {
			rc = codec_corrupt(err, "dict", "code out of range");
			goto done;
		}
		out += lens[codes[i] + 1] - lens[codes[i]];
		if (out > UINT32_MAX) {
			rc = codec_corrupt(err, "dict", "strings longer than 4 GiB in all");
			goto done;
		}
		offs[i + 1] = (uint32_t)out;
	}
	if (!buf_reserve(strbytes, (size_t)out)) {
		rc = buf_check(strbytes, err, "decoded strings");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t s = lens[codes[i]], len = lens[codes[i] + 1] - s;
		if (len)
			memcpy(strbytes->data + strbytes->len, bytes + s, (size_t)len);
		strbytes->len += (size_t)len;
	}
done:
	free(lens);
	free(codes);
	return rc;
}
