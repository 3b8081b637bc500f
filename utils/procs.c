// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "common.h"
#include "procs.h"

/* The copies' count of who is ready to start, shared; and how many. */
static uint32_t *procs_ready;
static unsigned int procs_n;

void *procs_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap", errno);
	return p;
}

unsigned int procs_run(unsigned int n, const char *port,
		       int (*run)(unsigned int i, const char *port, void *arg),
		       void *arg)
{
	unsigned int i, failed = 0;
	int status;
	pid_t pid;

	procs_ready = procs_shared(sizeof(*procs_ready));
	procs_n = n;
	/* Buffered output would be printed by every copy. */
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			die("fork", errno);
		if (!pid) {
			char mine[16];

			snprintf(mine, sizeof(mine), "%lu",
				 strtoul(port, NULL, 10) + i);
			exit(run(i, mine, arg));
		}
	}
	while ((pid = wait(&status)) > 0 || errno == EINTR)
		if (pid > 0 && (!WIFEXITED(status) || WEXITSTATUS(status)))
			failed++;
	return failed;
}

void procs_start_together(void)
{
	unsigned int waited = 0;

	if (!procs_ready)
		return;
	__atomic_add_fetch(procs_ready, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(procs_ready, __ATOMIC_SEQ_CST) < procs_n) {
		if (++waited > 300000)
			die("--procs: the other processes never got ready",
			    ETIMEDOUT);
		usleep(1000);
	}
}
