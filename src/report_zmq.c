/*
 * report_zmq.c: what the summary says of a rack over ZeroMQ, beyond its
 * depth: where it is, what its two ends counted, and what ZeroMQ hid
 * (dishes lost with a taker, quits that missed).
 */
#include "config.h"

#include "report.h"

#include <stdio.h>

#include "engine.h"
#include "i18n.h"
#include "rack_zmq.h"
#include "run.h"
#include "safe.h"

void
report_zmq_rack(FILE *f, struct engine *eng, unsigned i)
{
	struct run	*run = engine_run(eng);
	struct zr_view	 v;
	unsigned	 j, n;

	if (i >= run->nstations || rack_zmq_view(run->st[i].in, &v) == -1)
		return;
	fputs("  zmq       ", f);
	safe_fputs(v.reliable ? v.endpoint : v.out, f);
	fprintf(f, _(": %llu sent, %llu received, %u connects, %u "
	    "disconnects"), (unsigned long long)v.sent,
	    (unsigned long long)v.received, v.connects, v.disconnects);
	if (v.resent > 0)
		fprintf(f, _(", %llu sent again after a taker died"),
		    (unsigned long long)v.resent);
	if (v.duplicates > 0)
		fprintf(f, _(", %llu duplicates caught"), (unsigned long long)
		    v.duplicates);
	fputc('\n', f);
	if (v.lost > 0)
		fprintf(f, _("  zmq       %llu lost with the takers that died "
		    "(in their hands, or queued for them by ZeroMQ)\n"),
		    (unsigned long long)v.lost);
	if (v.stuck > 0) {
		fputs(_("  zmq       no quit reached "), f);
		n = v.named < 8 ? v.named : 8;
		for (j = 0; j < n; j++) {
			if (v.stuck_who[j] < run->nslots)
				fprintf(f, "%s%s", j > 0 ? ", " : "",
				    run->slots[v.stuck_who[j]].name);
		}
		if (v.stuck > n)
			fprintf(f, P_("%s%u taker", "%s%u takers", v.stuck -
			    n), n > 0 ? _(" and ") : "", v.stuck - n);
		fprintf(f, v.stuck > 1 ? P_(" (stuck: %u quit for the takers "
		    "the scenario named, dealt by PUSH to whoever was "
		    "connected); the control broadcast ended them\n",
		    " (stuck: %u quits for the takers the scenario named, "
		    "dealt by PUSH to whoever was connected); the control "
		    "broadcast ended them\n", v.quits) : P_(" (stuck: %u quit "
		    "for the takers the scenario named, dealt by PUSH to "
		    "whoever was connected); the control broadcast ended "
		    "it\n", " (stuck: %u quits for the takers the scenario "
		    "named, dealt by PUSH to whoever was connected); the "
		    "control broadcast ended it\n", v.quits), v.quits);
	}
}
