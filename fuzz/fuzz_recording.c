/*
 * fuzz_recording.c: libFuzzer target for the recording reader (--replay):
 * any bytes are refused with one "fuzz.rec..." line, or replayed (whole,
 * or cut short with one line saying where), and a replayed recording's
 * summary is made, text and JSON, without a crash.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "record.h"
#include "report.h"
#include "stats.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = { "fuzz.rec:", NULL };
	struct replay	*rp;
	struct stats	 st;
	FILE		*f, *sink;
	char		*cause = NULL;
	int		 rc;

	if (size == 0)
		return (0);
	/* fmemopen reads size bytes, NUL bytes too. */
	if ((f = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		return (0);
	if ((rp = replay_open_stream(f, "fuzz.rec", &cause)) == NULL) {
		fuzz_check_cause(cause, prefixes);
		return (0);
	}
	stats_init(&st, rp->scn);
	rc = replay_run(rp, &st, NULL, NULL, &cause);
	if (rc == -1 || rc == 1)
		fuzz_check_cause(cause, prefixes);
	if (rc != -1) {
		stats_compute(&st, &rp->se);
		if ((sink = fopen("/dev/null", "w")) != NULL) {
			report_text_run(sink, &rp->rr, &st);
			report_json_run(sink, &rp->rr, &st);
			fclose(sink);
		}
	}
	stats_free(&st);
	replay_close(rp);
	return (0);
}
