/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * --procs N for the ibbulk_* tools: N copies of one client or server side
 * by side, copy i on TCP port PORT + i, each with its own endpoint over the
 * node's one connection.
 */
#ifndef IBBULK_UTILS_PROCS_H
#define IBBULK_UTILS_PROCS_H

#include <stddef.h>

#define PROCS_MAX 64

/* Memory the copies write and the parent reads afterwards. */
void *procs_shared(size_t len);

/*
 * Fork @n copies; copy i exits with run(i, its port, @arg). Waits for all
 * and returns how many failed (exited non-zero or were killed).
 */
unsigned int procs_run(unsigned int n, const char *port,
		       int (*run)(unsigned int i, const char *port, void *arg),
		       void *arg);

/*
 * In a copy: wait until every copy has called this, so that the timed
 * parts run together rather than staggered by their set-up. A no-op
 * outside procs_run(); dies after five minutes (a copy that failed).
 */
void procs_start_together(void);

#endif /* IBBULK_UTILS_PROCS_H */
