/*
 * safe.h: text from outside (file names, values, --set) made safe to write
 * to a terminal. See doc/terminal-safety.md.
 */
#ifndef DISHRACK_SAFE_H
#define DISHRACK_SAFE_H

#include <stddef.h>
#include <stdio.h>

/*
 * The bytes of the character at s (len bytes left) if it is printable
 * UTF-8: 1 to 4. 0 for a control character (C0, DEL or C1; tab, CR and LF
 * too) and for a byte that does not start valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF).
 */
size_t	 safe_char_len(const unsigned char *s, size_t len);

/*
 * The bytes of s (len of them) that are text: printable UTF-8, and the
 * control characters in allowed ("\t"). len if all of them are; else
 * where the first other byte is.
 */
size_t	 safe_text_len(const char *s, size_t len, const char *allowed);

/*
 * s with every byte safe_char_len refuses written as \xHH (ESC is \x1b);
 * all else, non-ASCII text too, as it is. Allocated; never NULL.
 */
char	*safe_strdup(const char *s);

/* Write s to f as safe_strdup gives it. */
void	 safe_fputs(const char *s, FILE *f);

/*
 * Write s to f as a JSON string with its quotes: every control character
 * (C0, DEL, C1) escaped as \uXXXX, and a byte that is not UTF-8 as the
 * text \xHH, so the output is valid UTF-8 and safe on a terminal.
 */
void	 safe_json_fputs(const char *s, FILE *f);

#endif
