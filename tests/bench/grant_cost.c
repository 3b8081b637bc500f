// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * bulk_grant_cost: what a grant and its revoke cost, and what that does
 * to the bandwidth of a program that grants its buffer afresh for every
 * WRITE instead of once. Two endpoints of one node, connected through the
 * node's own address (the loopback connection: the GRANT, the key
 * registrations and the revoke run the whole protocol, both ends on one
 * node). Each round, interleaved so that both paths see the same
 * machine:
 *   fresh: grant SIZE bytes (WRITE access), one WRITE of SIZE through it,
 *          revoke it; each step timed;
 *   lived: one WRITE of SIZE through a grant made once, up front;
 *   small: one 8-byte WRITE through that grant (the round trip that a
 *          grant and a revoke each need at least: the unit they are
 *          given in).
 * Completions are waited for on the endpoint's file, so that the device's
 * own work (rxe's tasklets) gets the CPU. Prints the medians and RESULT
 * lines; it measures, it never judges.
 *   bulk_grant_cost DEVICE ADDR [SIZE [ROUNDS]]   (default 1 MiB, 31 rounds)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <infiniband/bulk.h>
#include "common.h"
#include "loopback.h"

const char *tool_name = "bulk_grant_cost";

/* One WRITE of @len bytes from a to z's grant @grant; microseconds. */
static double write_wait(struct loopback *lb, uint64_t grant, size_t len)
{
	struct ibv_bulk_op op = {
		.opcode = IBV_BULK_OP_WRITE, .conn = lb->az, .mr = lb->amr,
		.length = len, .remote_grant = grant,
	};
	struct pollfd pfd = { .fd = ibv_bulk_ep_fd(lb->a), .events = POLLIN };
	struct ibv_bulk_wc wc;
	double t = now();
	unsigned int n;
	int ret;

	ret = ibv_bulk_post(lb->a, &op, 1, &n);
	if (ret)
		die("ibv_bulk_post", ret);
	while ((ret = ibv_bulk_poll(lb->a, &wc, 1)) == 0)
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			die("poll", errno);
	if (ret < 0)
		die("ibv_bulk_poll", -ret);
	if (wc.status)
		die("WRITE", wc.status);
	return (now() - t) * 1e6;
}

int main(int argc, char **argv)
{
	size_t size = argc > 3 ? strtoull(argv[3], NULL, 0) : 1 << 20;
	unsigned int rounds = argc > 4 ? strtoul(argv[4], NULL, 0) : 31;
	double *grant_us, *fwrite_us, *revoke_us, *fresh_us, *lived_us;
	double *small_us, g, r, f, l, s;
	struct loopback lb;
	unsigned int i;
	uint64_t id;
	double t;
	int ret;

	if (argc < 3 || !size || !rounds) {
		fprintf(stderr, "usage: bulk_grant_cost DEVICE ADDR [SIZE [ROUNDS]]\n");
		return 2;
	}
	grant_us = calloc(rounds, sizeof(double));
	fwrite_us = calloc(rounds, sizeof(double));
	revoke_us = calloc(rounds, sizeof(double));
	fresh_us = calloc(rounds, sizeof(double));
	lived_us = calloc(rounds, sizeof(double));
	small_us = calloc(rounds, sizeof(double));
	if (!grant_us || !fwrite_us || !revoke_us || !fresh_us || !lived_us ||
	    !small_us)
		die("calloc", ENOMEM);
	ret = loopback_open(&lb, argv[1], argv[2], written_memory(size, 1),
			    written_memory(size, 2), size);
	if (ret)
		die(lb.failed, ret);

	for (i = 0; i < rounds; i++) {
		t = now();
		ret = ibv_bulk_grant(lb.za, lb.zmr, 0, size,
				     IBV_BULK_ACCESS_REMOTE_WRITE, &id);
		if (ret)
			die("ibv_bulk_grant", ret);
		grant_us[i] = (now() - t) * 1e6;
		fwrite_us[i] = write_wait(&lb, id, size);
		t = now();
		ret = ibv_bulk_revoke(lb.za, id);
		if (ret)
			die("ibv_bulk_revoke", ret);
		revoke_us[i] = (now() - t) * 1e6;
		fresh_us[i] = grant_us[i] + fwrite_us[i] + revoke_us[i];
		lived_us[i] = write_wait(&lb, lb.grant, size);
		small_us[i] = write_wait(&lb, lb.grant, 8);
	}
	g = median(grant_us, rounds);
	r = median(revoke_us, rounds);
	f = median(fresh_us, rounds);
	l = median(lived_us, rounds);
	s = median(small_us, rounds);
	printf("%zu B grant, median of %u: grant %.1f us, revoke %.1f us (%.2f and %.2f 8-byte WRITE round trips of %.1f us); WRITE with a fresh grant each time %.1f us in all, through a long-lived grant %.1f us (bandwidth ratio %.3f); the fresh grant's WRITE alone %.1f us\n",
	       size, rounds, g, r, g / s, r / s, s, f, l, l / f,
	       median(fwrite_us, rounds));
	printf("RESULT grant_usec %.1f\n", g);
	printf("RESULT revoke_usec %.1f\n", r);
	printf("RESULT write8_usec %.1f\n", s);
	printf("RESULT grant_vs_write8_ratio %.4f\n", g / s);
	printf("RESULT revoke_vs_write8_ratio %.4f\n", r / s);
	printf("RESULT fresh_grant_bw_ratio %.4f\n", l / f);
	ret = loopback_close(&lb);
	if (ret)
		die(lb.failed, ret);
	free(grant_us);
	free(fwrite_us);
	free(revoke_us);
	free(fresh_us);
	free(lived_us);
	free(small_us);
	return 0;
}
