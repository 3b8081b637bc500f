// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * bulk_reg_cost: what registering memory costs through rdma-bulk, fresh
 * and as a hit in the endpoint's MR cache, beside ibv_reg_mr() on the same
 * device. Each round maps new memory and writes it (so that the pages
 * exist and only the registration is timed), registers it (fresh), and
 * then deregisters and registers the same range again HITS times (cache
 * hits: the kernel keeps deregistered ranges until their mapping changes)
 * before it unmaps it. The first hit comes right after the fresh
 * registration's work; the later ones are the steady state of a program
 * that registers the same buffer for every message. ibv_reg_mr() runs in
 * a loop of its own, so that neither path runs after the other's work.
 * Two floors: an empty ibv_bulk_poll() (any call into a bulk method) and
 * ibv_alloc_pd() (any uverbs method that creates an object, as a
 * registration does). Prints the medians and RESULT lines.
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

/* Re-registrations of one range per round; the first is the cold one. */
#define HITS 8

static double time_bulk_reg(struct ibv_bulk_ep *ep, void *p, size_t size,
			    const char *what)
{
	struct ibv_bulk_mr *mr;
	double t = now();

	mr = ibv_bulk_reg_mr(ep, p, size, 0);
	t = (now() - t) * 1e6;
	if (!mr || ibv_bulk_dereg_mr(mr))
		die(what, errno);
	return t;
}

/* Fresh registrations, each followed by HITS re-registrations. */
static void bulk_rounds(struct ibv_bulk_ep *ep, size_t size,
			unsigned int rounds, double *fresh, double *first,
			double *steady)
{
	unsigned int i, k;
	void *p;

	for (i = 0; i < rounds; i++) {
		p = written_memory(size, i);
		fresh[i] = time_bulk_reg(ep, p, size, "fresh registration");
		first[i] = time_bulk_reg(ep, p, size, "registration again");
		for (k = 1; k < HITS; k++)
			steady[i * (HITS - 1) + k - 1] =
				time_bulk_reg(ep, p, size, "registration again");
		/* The notifier drops the cached registration. */
		munmap(p, size);
	}
}

static void verbs_rounds(struct ibv_pd *pd, size_t size, unsigned int rounds,
			 double *verbs, double *alloc_pd)
{
	struct ibv_mr *vmr;
	struct ibv_pd *tmp;
	unsigned int i;
	double t;
	void *p;

	for (i = 0; i < rounds; i++) {
		p = written_memory(size, i);
		t = now();
		vmr = ibv_reg_mr(pd, p, size, IBV_ACCESS_LOCAL_WRITE |
				 IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE);
		verbs[i] = (now() - t) * 1e6;
		if (!vmr || ibv_dereg_mr(vmr))
			die("ibv_reg_mr", errno);
		munmap(p, size);
	}
	/* A uverbs object that the driver hardly has to build (rxe, siw). */
	for (i = 0; i < rounds; i++) {
		t = now();
		tmp = ibv_alloc_pd(pd->context);
		alloc_pd[i] = (now() - t) * 1e6;
		if (!tmp || ibv_dealloc_pd(tmp))
			die("ibv_alloc_pd", errno);
	}
}

int main(int argc, char **argv)
{
	size_t size = argc > 2 ? strtoull(argv[2], NULL, 0) : 1 << 20;
	unsigned int rounds = argc > 3 ? strtoul(argv[3], NULL, 0) : 51;
	double *fresh, *first, *steady, *verbs, *floor_us, *alloc_pd, t;
	double f, h1, h, v, fl, pd_us;
	struct ibv_context *ctx;
	struct ibv_bulk_ep *ep;
	struct ibv_pd *pd;
	unsigned int i;
	void *p;

	if (argc < 2 || !size || !rounds) {
		fprintf(stderr, "usage: bulk_reg_cost DEVICE [SIZE [ROUNDS [hits]]]\n");
		return 2;
	}
	fresh = calloc(rounds, sizeof(double));
	first = calloc(rounds, sizeof(double));
	steady = calloc(rounds * (HITS - 1), sizeof(double));
	verbs = calloc(rounds, sizeof(double));
	floor_us = calloc(rounds, sizeof(double));
	alloc_pd = calloc(rounds, sizeof(double));
	if (!fresh || !first || !steady || !verbs || !floor_us || !alloc_pd)
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
		for (i = 0; i < rounds; i++)
			time_bulk_reg(ep, p, size, "registration");
		return 0;
	}
	bulk_rounds(ep, size, rounds, fresh, first, steady);
	verbs_rounds(pd, size, rounds, verbs, alloc_pd);
	/* The floor: one bulk method that does nothing (an empty POLL). */
	for (i = 0; i < rounds; i++) {
		struct ibv_bulk_wc wc;

		t = now();
		if (ibv_bulk_poll(ep, &wc, 1) < 0)
			die("ibv_bulk_poll", errno);
		floor_us[i] = (now() - t) * 1e6;
	}
	fl = median(floor_us, rounds);
	pd_us = median(alloc_pd, rounds);
	f = median(fresh, rounds);
	h1 = median(first, rounds);
	h = median(steady, rounds * (HITS - 1));
	v = median(verbs, rounds);
	printf("%zu B registration, median of %u: rdma-bulk fresh %.1f us; cache hit right after it %.1f us (%.3f of fresh); again and again %.1f us (%.3f of fresh); ibv_reg_mr %.1f us\n",
	       size, rounds, f, h1, h1 / f, h, h / f, v);
	printf("floors: an empty ibv_bulk_poll() %.1f us; ibv_alloc_pd() %.1f us\n",
	       fl, pd_us);
	printf("RESULT mr_reg_fresh_usec %.1f\n", f);
	printf("RESULT mr_reg_first_hit_usec %.1f\n", h1);
	printf("RESULT mr_reg_hit_usec %.1f\n", h);
	printf("RESULT mr_reg_verbs_usec %.1f\n", v);
	printf("RESULT mr_reg_first_hit_ratio %.4f\n", h1 / f);
	printf("RESULT mr_reg_hit_ratio %.4f\n", h / f);
	printf("RESULT bulk_method_floor_usec %.1f\n", fl);
	printf("RESULT alloc_pd_usec %.1f\n", pd_us);
	if (ibv_dealloc_pd(pd) || ibv_bulk_ep_close(ep))
		die("teardown", EIO);
	ibv_close_device(ctx);
	free(fresh);
	free(first);
	free(steady);
	free(verbs);
	free(floor_us);
	free(alloc_pd);
	return 0;
}
