/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of every WAL record, block,
 * footer and manifest. Computed by ISA-L (libisal), which uses the SSE4.2
 * and PCLMUL instructions where the CPU has them.
 */
#ifndef STELE_UTIL_CRC32C_H
#define STELE_UTIL_CRC32C_H

#include <isa-l/crc.h>
#include <stddef.h>
#include <stdint.h>

/* Extends a CRC-32C: crc32c_extend(crc32c(a), b) == crc32c(a ++ b). */
static inline uint32_t crc32c_extend(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *b = p;
	crc = ~crc;
	while (n > (1u << 30)) {
		crc = crc32_iscsi((unsigned char *)(uintptr_t)b, 1 << 30, crc);
		b += 1u << 30;
		n -= 1u << 30;
	}
	return ~crc32_iscsi((unsigned char *)(uintptr_t)b, (int)n, crc);
}

/* CRC-32C of n bytes; crc32c("123456789", 9) == 0xe3069283. */
static inline uint32_t crc32c(const void *p, size_t n)
{
	return crc32c_extend(0, p, n);
}

#endif
