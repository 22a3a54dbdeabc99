/*
 * fuzz.h: what every libFuzzer target of dishrack checks the same way: an
 * error is one line with the right prefix and, as printed, nothing that
 * can drive a terminal; and a built-in scenario to work on.
 */
#ifndef DISHRACK_FUZZ_H
#define DISHRACK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct scenario;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Abort unless cause starts with one of the prefixes (a NULL-terminated
 * list) and its printed form (safe_strdup) has no control character.
 * Frees cause.
 */
void	fuzz_check_cause(char *cause, const char *const *prefixes);

/* Abort if s holds a control character other than those in allowed. */
void	fuzz_check_text(const char *s, const char *allowed);

/*
 * Built-in scenario i (modulo their number), parsed as main does, named
 * "builtin:NAME"; never NULL.
 */
struct scenario *fuzz_builtin(size_t i);

#endif
