/*
 * replay.c: a main() for a fuzz target without libFuzzer, so every build
 * (gcc, ASan) runs the kept corpus in make check: each file argument, and
 * each file of a directory argument, is one input. A crash is the test
 * failing.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "xmalloc.h"

static int	replay_file(const char *);
static int	replay_dir(const char *, unsigned *);

/* Feed one file to the target. 0, or -1 if it cannot be read. */
static int
replay_file(const char *path)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return (-1);
	}
	do {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return (0);
}

/* Every regular file of dir, in name order so a run can be repeated. */
static int
replay_dir(const char *dir, unsigned *count)
{
	struct dirent	**names;
	struct stat	  sb;
	char		 *path;
	int		  n, i, rc = 0;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1) {
		perror(dir);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]->d_name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (replay_file(path) == -1)
				rc = -1;
			(*count)++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return (rc);
}

/* Replay every argument; exit 1 if one could not be read. */
int
main(int argc, char **argv)
{
	struct stat	sb;
	unsigned	count = 0;
	int		i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (replay_dir(argv[i], &count) == -1)
				rc = 1;
		} else if (replay_file(argv[i]) == -1)
			rc = 1;
		else
			count++;
	}
	printf("%s: %u inputs\n", argv[0], count);
	return (rc);
}
