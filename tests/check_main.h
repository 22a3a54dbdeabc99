/*
 * check_main.h: the one main() every Check suite of dishrack has: run the
 * suite, exit non-zero if any test failed.
 */
#ifndef DISHRACK_TEST_CHECK_MAIN_H
#define DISHRACK_TEST_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN(suite_fn)					\
int								\
main(void)							\
{								\
	SRunner	*sr = srunner_create(suite_fn());		\
	int	 failed;					\
								\
	srunner_run_all(sr, CK_NORMAL);				\
	failed = srunner_ntests_failed(sr);			\
	srunner_free(sr);					\
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);	\
}

#endif
