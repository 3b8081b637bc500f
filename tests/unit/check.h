/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/* A few assertion helpers for the host-side C tests. */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n",	\
				__FILE__, __LINE__, #cond);		\
			check_failures++;				\
		}							\
	} while (0)

#define CHECK_ERRNO(expr, want)						\
	do {								\
		int got_ = (expr);					\
		if (got_ != (want)) {					\
			fprintf(stderr, "%s:%d: %s gave %d (%s), want %s\n", \
				__FILE__, __LINE__, #expr, got_,	\
				strerror(got_), #want);			\
			check_failures++;				\
		}							\
	} while (0)

static inline int check_done(const char *name)
{
	if (check_failures)
		fprintf(stderr, "%s: %d check(s) failed\n", name,
			check_failures);
	return check_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* TESTS_CHECK_H */
