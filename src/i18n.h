/*
 * i18n.h: translated text (doc/i18n.md). _() marks a message and looks it
 * up in the catalogue of LANG/LANGUAGE; N_() marks one kept in a table,
 * translated where it is shown. Without NLS both are the English text.
 */
#ifndef DISHRACK_I18N_H
#define DISHRACK_I18N_H

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s)		gettext(s)
#define P_(s, p, n)	ngettext((s), (p), (n))
#else
#define _(s)		((const char *)(s))
#define P_(s, p, n)	((n) == 1 ? (const char *)(s) : (const char *)(p))
#endif
#define N_(s)		s

void	i18n_init(void);

#endif
