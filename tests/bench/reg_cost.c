// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * bulk_reg_cost: what registering memory costs through rdma-bulk, fresh
 * and as a hit in the endpoint's MR cache, beside ibv_reg_mr() on the same
 * device. Each round maps new memory and writes it (so that the pages
 * exist and only the registration is timed), registers it (fresh),
 * deregisters it, registers the same range again (a cache hit: the kernel
 * keeps deregistered ranges until their mapping changes), and unmaps it;
 * then the same for ibv_reg_mr(). An empty ibv_bulk_poll() gives the
 * floor that any call into a bulk method pays. Prints the medians and
 * RESULT lines.
 *   bulk_reg_cost DEVICE [SIZE [ROUNDS [hits]]]   (default 1 MiB, 51 rounds;
 *                                   hits: only cache hits, for a profiler)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <infiniband/bulk.h>
#include "common.h"

const char *tool_name = "bulk_reg_cost";

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[n / 2];
}

static void *written_memory(size_t size, int fill)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap", errno);
	memset(p, fill, size);
	return p;
}

int main(int argc, char **argv)
{
	size_t size = argc > 2 ? strtoull(argv[2], NULL, 0) : 1 << 20;
	unsigned int rounds = argc > 3 ? strtoul(argv[3], NULL, 0) : 51;
	double *fresh, *hit, *verbs, *floor_us, t, f, h, v, fl;
	struct ibv_context *ctx;
	struct ibv_bulk_mr *mr;
	struct ibv_bulk_ep *ep;
	struct ibv_mr *vmr;
	struct ibv_pd *pd;
	unsigned int i;
	void *p;

	if (argc < 2 || !size || !rounds) {
		fprintf(stderr, "usage: bulk_reg_cost DEVICE [SIZE [ROUNDS]]\n");
		return 2;
	}
	fresh = calloc(rounds, sizeof(double));
	hit = calloc(rounds, sizeof(double));
	verbs = calloc(rounds, sizeof(double));
	floor_us = calloc(rounds, sizeof(double));
	if (!fresh || !hit || !verbs || !floor_us)
		die("calloc", ENOMEM);
	ctx = open_device(argv[1]);
	ep = ibv_bulk_ep_open(ctx, NULL);
	if (!ep)
		die("ibv_bulk_ep_open", errno);
	pd = ibv_alloc_pd(ctx);
	if (!pd)
		die("ibv_alloc_pd", errno);

	/* `hits`: only the hit, again and again, for a profiler to watch. */
	if (argc > 4 && !strcmp(argv[4], "hits")) {
		p = written_memory(size, 1);
		for (i = 0; i < rounds; i++) {
			mr = ibv_bulk_reg_mr(ep, p, size, 0);
			if (!mr || ibv_bulk_dereg_mr(mr))
				die("registration", errno);
		}
		return 0;
	}
	for (i = 0; i < rounds; i++) {
		p = written_memory(size, i);
		t = now() * 1e6;
		mr = ibv_bulk_reg_mr(ep, p, size, 0);
		fresh[i] = now() * 1e6 - t;
		if (!mr || ibv_bulk_dereg_mr(mr))
			die("fresh registration", errno);
		t = now() * 1e6;
		mr = ibv_bulk_reg_mr(ep, p, size, 0);
		hit[i] = now() * 1e6 - t;
		if (!mr || ibv_bulk_dereg_mr(mr))
			die("registration again", errno);
		/* The notifier drops the cached registration. */
		munmap(p, size);

		p = written_memory(size, i);
		t = now() * 1e6;
		vmr = ibv_reg_mr(pd, p, size, IBV_ACCESS_LOCAL_WRITE |
				 IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE);
		verbs[i] = now() * 1e6 - t;
		if (!vmr || ibv_dereg_mr(vmr))
			die("ibv_reg_mr", errno);
		munmap(p, size);
	}
	/* The floor: one bulk method that does nothing (an empty POLL). */
	for (i = 0; i < rounds; i++) {
		struct ibv_bulk_wc wc;

		t = now() * 1e6;
		if (ibv_bulk_poll(ep, &wc, 1) < 0)
			die("ibv_bulk_poll", errno);
		floor_us[i] = now() * 1e6 - t;
	}
	fl = median(floor_us, rounds);
	f = median(fresh, rounds);
	h = median(hit, rounds);
	v = median(verbs, rounds);
	printf("%zu B registration, median of %u: rdma-bulk fresh %.1f us, cache hit %.1f us (%.3f of fresh); ibv_reg_mr %.1f us\n",
	       size, rounds, f, h, h / f, v);
	printf("RESULT mr_reg_fresh_usec %.1f\n", f);
	printf("RESULT mr_reg_hit_usec %.1f\n", h);
	printf("RESULT mr_reg_verbs_usec %.1f\n", v);
	printf("an empty ibv_bulk_poll() (one uverbs method, the floor of any call): %.1f us\n", fl);
	printf("RESULT mr_reg_hit_ratio %.4f\n", h / f);
	printf("RESULT bulk_method_floor_usec %.1f\n", fl);
	if (ibv_dealloc_pd(pd) || ibv_bulk_ep_close(ep))
		die("teardown", EIO);
	ibv_close_device(ctx);
	return 0;
}
