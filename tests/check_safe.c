/*
 * check_safe.c: what may reach a terminal. Every control character and
 * every byte that is not UTF-8 comes out visible; text, non-ASCII too, as
 * it came in; JSON strings escape the same bytes and stay valid UTF-8.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safe.h"
#include "check_main.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

static char	*json_of(const char *);
static Suite	*safe_suite(void);

/* What safe_json_fputs writes for s, allocated. */
static char *
json_of(const char *s)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	safe_json_fputs(s, f);
	ck_assert_int_eq(fclose(f), 0);
	return (buf);
}

/* The bytes that count as text, and those that do not. */
START_TEST(test_char_len)
{
	static const struct {
		const char	*s;
		size_t		 n;
	} cases[] = {
		{ "a", 1 }, { " ", 1 }, { "~", 1 },
		{ "\x1b", 0 }, { "\t", 0 }, { "\r", 0 }, { "\n", 0 },
		{ "\x7f", 0 }, { "\x01", 0 },
		{ "\xc2\xa0", 2 }, { "\xc3\xa9", 2 },	/* NBSP, e acute */
		{ "\xc2\x80", 0 }, { "\xc2\x9b", 0 },	/* C1: PAD, CSI */
		{ "\xc2\x9f", 0 },
		{ "\xec\xa0\x91", 3 },			/* a Hangul syllable */
		{ "\xf0\x9f\x8d\xbd", 4 },		/* a plate */
		{ "\x9b", 0 }, { "\xff", 0 }, { "\xc0\xaf", 0 },	/* overlong */
		{ "\xe0\x80\xaf", 0 }, { "\xed\xa0\x80", 0 },	/* surrogate */
		{ "\xf4\x90\x80\x80", 0 },		/* past U+10FFFF */
		{ "\xec\xa0", 0 },			/* cut short */
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++) {
		ck_assert_msg(safe_char_len((const unsigned char *)cases[i].s,
		    strlen(cases[i].s)) == cases[i].n, "case %zu", i);
	}
	ck_assert_uint_eq(safe_char_len((const unsigned char *)"", 0), 0);
	/* The length given is the end, even before a NUL. */
	ck_assert_uint_eq(safe_char_len((const unsigned char *)"\xc3\xa9", 1),
	    0);
}
END_TEST

/* Text up to the first byte that is neither printable nor allowed. */
START_TEST(test_text_len)
{
	ck_assert_uint_eq(safe_text_len("", 0, ""), 0);
	ck_assert_uint_eq(safe_text_len("a\tb", 3, "\t"), 3);
	ck_assert_uint_eq(safe_text_len("a\tb", 3, ""), 1);
	ck_assert_uint_eq(safe_text_len("\xec\xa0\x91\x1b", 4, "\t"), 3);
	ck_assert_uint_eq(safe_text_len("a\nb\rc", 5, "\n"), 3);
	ck_assert_uint_eq(safe_text_len("ab\xc2\x9b", 4, "\t"), 2);
	/* A NUL inside len is never allowed, whatever allowed says. */
	ck_assert_uint_eq(safe_text_len("a\0b", 3, "\t"), 1);
}
END_TEST

/* Control characters and stray bytes as \xHH; the rest untouched. */
START_TEST(test_strdup)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "", "" },
		{ "plain text.scn", "plain text.scn" },
		{ "\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07" },
		{ "\x1b]2;pwned\x1b\\", "\\x1b]2;pwned\\x1b\\" },
		{ "rm -rf / \rall good", "rm -rf / \\x0dall good" },
		{ "a\nb\tc", "a\\x0ab\\x09c" },
		{ "\x7f", "\\x7f" },
		{ "\xc2\x9b" "31m", "\\xc2\\x9b31m" },
		{ "\x9b" "31m", "\\x9b31m" },
		{ "caf\xc3\xa9 \xec\xa0\x91 \xf0\x9f\x8d\xbd",
		  "caf\xc3\xa9 \xec\xa0\x91 \xf0\x9f\x8d\xbd" },
		{ "\xff\xfe", "\\xff\\xfe" },
		{ "cut \xec\xa0", "cut \\xec\\xa0" },
	};
	char	*t;
	size_t	 i;

	for (i = 0; i < NITEMS(cases); i++) {
		t = safe_strdup(cases[i].in);
		ck_assert_str_eq(t, cases[i].out);
		free(t);
	}
}
END_TEST

/* Every byte from 1 to 255 alone: what comes out has no control at all. */
START_TEST(test_every_byte)
{
	char		 in[2] = { 0, 0 }, *t, *j;
	const char	*p;
	int		 c;

	for (c = 1; c < 256; c++) {
		in[0] = (char)c;
		t = safe_strdup(in);
		j = json_of(in);
		for (p = t; *p != '\0'; p++)
			ck_assert_msg((unsigned char)*p >= 0x20 &&
			    (unsigned char)*p < 0x7f, "byte 0x%02x", c);
		for (p = j; *p != '\0'; p++)
			ck_assert_msg((unsigned char)*p >= 0x20 &&
			    (unsigned char)*p < 0x7f, "JSON, byte 0x%02x", c);
		free(t);
		free(j);
	}
}
END_TEST

/* JSON: C0, DEL and C1 as \u escapes; a stray byte as the text \xHH. */
START_TEST(test_json)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "", "\"\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "a\nb\tc", "\"a\\nb\\tc\"" },
		{ "\x1b]52;c;aGk=\x07", "\"\\u001b]52;c;aGk=\\u0007\"" },
		{ "\r", "\"\\u000d\"" },
		{ "\x7f", "\"\\u007f\"" },
		{ "\xc2\x9b", "\"\\u009b\"" },
		{ "\xc2\x80\xc2\xa0", "\"\\u0080\xc2\xa0\"" },
		{ "\x9b\xff", "\"\\\\x9b\\\\xff\"" },
		{ "\xec\xa0\x91", "\"\xec\xa0\x91\"" },
	};
	char	*j;
	size_t	 i;

	for (i = 0; i < NITEMS(cases); i++) {
		j = json_of(cases[i].in);
		ck_assert_str_eq(j, cases[i].out);
		free(j);
	}
}
END_TEST

/* Every test, in one case. */
static Suite *
safe_suite(void)
{
	Suite	*s = suite_create("safe");
	TCase	*tc = tcase_create("terminal");

	tcase_add_test(tc, test_char_len);
	tcase_add_test(tc, test_text_len);
	tcase_add_test(tc, test_strdup);
	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	return (s);
}

/* Run the suite; the exit status is whether every test passed. */
CHECK_MAIN(safe_suite)
