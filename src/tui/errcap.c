/*
 * errcap.c: what is written to standard error while the screen is up.
 *
 * A message on the terminal under curses scrolls it by a line, and
 * ncurses, not knowing, redraws only the cells it changes: the screen is
 * garbled for the rest of the run. Anything may write there while a
 * lecture runs: a forked worker's perror, a library (libzmq's assertions,
 * ASan's warning about swapcontext on the virtual clock), redis-server's
 * start-up failure. So while the screen is up, descriptor 2 is an
 * unnamed temporary file (inherited by every worker forked meanwhile);
 * each frame shows its last line on the status line, and on the way out
 * descriptor 2 is given back and what was written is copied to it, in
 * order. The end is async-signal-safe, for the fatal signals' handler.
 */
#include "config.h"

#include "tui_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe.h"

static int	errcap_saved = -1;	/* the real standard error */
static int	errcap_file = -1;	/* what 2 writes to meanwhile */
static pid_t	errcap_pid;
static off_t	errcap_seen;		/* bytes the status line has shown */

/* An unnamed file in the temporary directory, or -1. */
static int
errcap_open(void)
{
	const char	*dir = getenv("TMPDIR");
	char		 path[4096];
	int		 fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) != -1)
		return (fd);
#endif
	if ((size_t)snprintf(path, sizeof path, "%s/dishrack-err.XXXXXX",
	    dir) >= sizeof path)
		return (-1);
	if ((fd = mkstemp(path)) == -1)
		return (-1);
	(void)unlink(path);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return (fd);
}

/* Descriptor 2 to the file; left as it was if that cannot be done. */
void
tui_errcap_start(void)
{
	int	file, saved;

	if (errcap_saved != -1)
		return;
	if ((file = errcap_open()) == -1)
		return;
	if ((saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1) {
		close(file);
		return;
	}
	if (dup2(file, STDERR_FILENO) == -1) {
		close(file);
		close(saved);
		return;
	}
	errcap_saved = saved;
	errcap_file = file;
	errcap_pid = getpid();
	errcap_seen = 0;
}

/*
 * The last line written since the last call, made safe to draw, in buf;
 * 1 if there was one.
 */
int
tui_errcap_poll(char *buf, size_t len)
{
	struct stat	 sb;
	char		 tail[512], *line, *safe;
	off_t		 from;
	ssize_t		 n;

	if (errcap_file == -1 || len == 0 || fstat(errcap_file, &sb) == -1 ||
	    sb.st_size <= errcap_seen)
		return (0);
	from = sb.st_size - (off_t)sizeof tail + 1;
	if (from < errcap_seen)
		from = errcap_seen;
	n = pread(errcap_file, tail, sizeof tail - 1, from);
	errcap_seen = sb.st_size;
	if (n <= 0)
		return (0);
	tail[n] = '\0';
	while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r'))
		tail[--n] = '\0';
	if (n == 0)
		return (0);
	line = strrchr(tail, '\n');
	line = line != NULL ? line + 1 : tail;
	safe = safe_strdup(line);
	snprintf(buf, len, "%s", safe);
	free(safe);
	return (1);
}

/*
 * Descriptor 2 given back, and what was written meanwhile copied to it.
 * Only async-signal-safe calls: the fatal signals' handler calls it.
 */
void
tui_errcap_end(void)
{
	char	buf[4096];
	off_t	at = 0;
	ssize_t	n;

	if (errcap_saved == -1 || getpid() != errcap_pid)
		return;
	(void)dup2(errcap_saved, STDERR_FILENO);
	close(errcap_saved);
	errcap_saved = -1;
	while ((n = pread(errcap_file, buf, sizeof buf, at)) > 0) {
		if (write(STDERR_FILENO, buf, (size_t)n) != n && errno != EINTR)
			break;
		at += n;
	}
	close(errcap_file);
	errcap_file = -1;
}
