/*
 * i18n.c: which catalogue the messages come from. An installed dishrack
 * reads $(localedir); the one in a build tree reads the catalogues built
 * beside it, so that LANG=ko_KR.UTF-8 build/src/dishrack is Korean before
 * make install (and the tests see the catalogue they build).
 */
#include "config.h"

#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#ifdef ENABLE_NLS
/* Whether this process runs the program the build tree made. */
static int
i18n_in_build_tree(void)
{
#ifdef BUILD_PROGRAM
	char	self[PATH_MAX], built[PATH_MAX];

	if (realpath("/proc/self/exe", self) == NULL ||
	    realpath(BUILD_PROGRAM, built) == NULL)
		return (0);
	return (strcmp(self, built) == 0);
#else
	return (0);
#endif
}
#endif

void
i18n_init(void)
{
	/*
	 * Messages and the character set only: numbers stay in the C
	 * locale's form, since JSON, recordings and the tests' expectations
	 * read them ("0.50", never "0,50").
	 */
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
#ifdef ENABLE_NLS
#ifdef BUILD_LOCALEDIR
	if (i18n_in_build_tree())
		bindtextdomain(PACKAGE, BUILD_LOCALEDIR);
	else
#endif
		bindtextdomain(PACKAGE, LOCALEDIR);
	/* All of dishrack's text is UTF-8 (safe.c lets only UTF-8 through). */
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
#endif
}
