/*
 * sha1.h: SHA-1 (FIPS 180-4) in hex, the name Redis gives a script, so a
 * script is sent by that name (EVALSHA) once the server has it.
 */
#ifndef DISHRACK_SHA1_H
#define DISHRACK_SHA1_H

#include <stddef.h>

#define SHA1_HEX_LEN	40

void	sha1_hex(const void *data, size_t len, char hex[SHA1_HEX_LEN + 1]);

#endif
