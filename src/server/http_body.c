/*
 * http_body.c - the parts of HTTP request handling that work on bytes alone
 * (http_body.h), apart from libevent so that fuzz_http can drive them.
 */
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "server/auth.h"
#include "server/http_body.h"

int http_precision(const char *p, bool v2, int *out)
{
	if (!p || !*p) {
		*out = STELE_PRECISION_NS;
		return 0;
	}
	static const struct {
		const char *name;
		int prec;
	} names[] = {{"ns", STELE_PRECISION_NS}, {"n", STELE_PRECISION_NS},
	             {"us", STELE_PRECISION_US}, {"u", STELE_PRECISION_US},
	             {"ms", STELE_PRECISION_MS}, {"s", STELE_PRECISION_S}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(p, names[i].name) == 0 && (!v2 || strlen(p) > 1 || p[0] == 's')) {
			*out = names[i].prec;
			return 0;
		}
	return -1;
}

/* Inflates a gzip body into out, at most max bytes: 0, 413 over the
 * limit, 400 when it is not valid gzip. */
int http_gunzip(const uint8_t *in, size_t n, size_t max, Buf *out, char *msg, size_t nmsg)
{
	z_stream z = {0};
	if (inflateInit2(&z, 15 + 32) != Z_OK) {
		snprintf(msg, nmsg, "out of memory");
		return 503;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	size_t left = n - z.avail_in;
	int zr = Z_OK, code = 0;
	while (zr != Z_STREAM_END) {
		if (!buf_reserve(out, 256 * 1024)) {
			snprintf(msg, nmsg, "out of memory");
			code = 503;
			break;
		}
		size_t room = out->cap - out->len;
		z.next_out = out->data + out->len;
		z.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
		uInt before = z.avail_out;
		zr = inflate(&z, Z_NO_FLUSH);
		out->len += before - z.avail_out;
		if (out->len > max) {
			snprintf(msg, nmsg, "request body is larger than the limit of %zu bytes after "
			         "decompression (max-body)", max);
			code = 413;
			break;
		}
		if (zr == Z_STREAM_END && z.avail_in == 0 && left == 0)
			break;
		if (zr == Z_STREAM_END) {
			/* concatenated gzip members */
			if (z.avail_in == 0 && left) {
				z.avail_in = (uInt)(left > UINT32_MAX ? UINT32_MAX : left);
				left -= z.avail_in;
			}
			if (inflateReset(&z) != Z_OK)
				break;
			zr = Z_OK;
			continue;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && left) {
			z.avail_in = (uInt)(left > UINT32_MAX ? UINT32_MAX : left);
			left -= z.avail_in;
			continue;
		}
		if (zr != Z_OK && !(zr == Z_BUF_ERROR && z.avail_out == 0)) {
			snprintf(msg, nmsg, "invalid gzip body: %s", z.msg ? z.msg : "truncated");
			code = 400;
			break;
		}
	}
	inflateEnd(&z);
	return code;
}

/* Comments out lines longer than max: their first byte becomes '#', the
 * parser skips them, and they are reported here. Returns how many. */
uint64_t http_blank_long_lines(uint8_t *p, size_t n, size_t max, uint64_t *first)
{
	uint64_t count = 0, line = 1;
	size_t start = 0;
	while (start < n) {
		uint8_t *nl = memchr(p + start, '\n', n - start);
		size_t end = nl ? (size_t)(nl - p) : n;
		if (end - start > max) {
			if (!count)
				*first = line;
			count++;
			p[start] = '#';
		}
		start = end + 1;
		line++;
	}
	return count;
}

int http_basic_secret(const char *v, char *secret, size_t cap)
{
	while (*v == ' ')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\r'))
		n--;
	uint8_t dec[AUTH_SECRET_MAX * 2];
	long len = auth_unb64(v, n, dec, sizeof dec - 1);
	if (len < 0)
		return -1;
	dec[len] = '\0';
	if (memchr(dec, '\0', (size_t)len))
		return -1;
	const char *colon = memchr(dec, ':', (size_t)len);
	snprintf(secret, cap, "%s", colon ? colon + 1 : (const char *)dec);
	return 0;
}
