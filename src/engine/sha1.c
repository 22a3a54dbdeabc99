/*
 * sha1.c: SHA-1, from FIPS 180-4 section 6.1. Not for security: Redis
 * names a cached script by the SHA-1 of its text, and a script named
 * right costs the server no hashing of the whole text and the link no
 * copy of it on every call.
 */
#include "config.h"

#include "sha1.h"

#include <stdint.h>
#include <string.h>

struct sha1 {
	uint32_t	h[5];
	uint64_t	bytes;
	unsigned char	block[64];
	size_t		used;
};

static uint32_t
rol(uint32_t x, unsigned n)
{
	return ((x << n) | (x >> (32 - n)));
}

static void
sha1_block(struct sha1 *s, const unsigned char *p)
{
	uint32_t	w[80], a, b, c, d, e, f, k, t;
	int		i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3]; e = s->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d; d = c; c = rol(b, 30); b = a; a = t;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d; s->h[4] += e;
}

static void
sha1_add(struct sha1 *s, const unsigned char *p, size_t len)
{
	size_t	n;

	s->bytes += len;
	while (len > 0) {
		n = sizeof s->block - s->used;
		if (n > len)
			n = len;
		memcpy(s->block + s->used, p, n);
		s->used += n;
		p += n;
		len -= n;
		if (s->used == sizeof s->block) {
			sha1_block(s, s->block);
			s->used = 0;
		}
	}
}

void
sha1_hex(const void *data, size_t len, char hex[SHA1_HEX_LEN + 1])
{
	static const char	 digits[] = "0123456789abcdef";
	struct sha1		 s = { { 0x67452301, 0xefcdab89, 0x98badcfe,
				    0x10325476, 0xc3d2e1f0 }, 0, { 0 }, 0 };
	unsigned char		 pad[72] = { 0x80 };
	uint64_t		 bits;
	size_t			 n;
	int			 i;

	sha1_add(&s, data, len);
	bits = s.bytes * 8;
	/* A 1 bit, zeros to 56 bytes into a block, the length in bits. */
	n = s.used < 56 ? 56 - s.used : 120 - s.used;
	for (i = 0; i < 8; i++)
		pad[n + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_add(&s, pad, n + 8);
	for (i = 0; i < 20; i++) {
		hex[2 * i] = digits[(s.h[i / 4] >> (24 - 8 * (i % 4)) >> 4) &
		    0xf];
		hex[2 * i + 1] = digits[(s.h[i / 4] >> (24 - 8 * (i % 4))) &
		    0xf];
	}
	hex[SHA1_HEX_LEN] = '\0';
}
