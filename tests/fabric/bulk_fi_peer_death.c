// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * A peer process that dies under the bulk libfabric provider, across two
 * nodes: the survivor's sends to it end in CQ error entries (also the
 * rendezvous send it had taken but not yet read, which no FIN will ever
 * end) and the survivor's endpoints go on working.
 *
 *   bulk_fi_peer_death victim DIR [-d DEVICE]
 *       opens an endpoint, writes its name to DIR/victim.name and waits to
 *       be killed
 *   bulk_fi_peer_death survivor DIR [-d DEVICE]
 *       reads that name, talks to the victim, leaves a rendezvous send in
 *       flight to it, creates DIR/flag.kill and checks what follows once
 *       the script has killed the victim (it creates DIR/flag.killed)
 *
 * DIR is a directory both nodes see (vm-run's VM_SHARE). The survivor
 * prints "ok NAME" / "FAIL NAME: why" and the counts line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fi_harness.h"

#define NAME_WAIT_S	120
/* The provider probes a receiver that owes a FIN after 5 s; with room. */
#define DEATH_BOUND_MS	60000

static int victim(const char *dir, const char *dev)
{
	size_t len = 64;
	char name[64];
	int ret;

	ret = open_all(dev, FI_AV_TABLE, 0);
	if (!ret)
		ret = fi_getname(&A->ep->fid, name, &len);
	if (ret) {
		fprintf(stderr, "victim: %s\n", fi_strerror(-ret));
		return 1;
	}
	if (put_file(dir, "victim.name", name, len))
		return 1;
	/* Take nothing: what the survivor sends stays unexpected here. */
	for (;;)
		pause();
}

/* The next completion of A is an error for the operation @ctx. */
static bool error_for(void *ctx)
{
	struct comp c;

	if (!next(A, &c))
		return false;
	if (!c.error)
		return fails("it completed");
	if (c.err.op_context != ctx)
		return fails("an error for another operation");
	printf("# %s\n", fi_strerror(c.err.err));
	return true;
}

static bool read_victim(const char *dir, fi_addr_t *addr)
{
	char name[64];
	ssize_t len;

	if (!await_file(dir, "victim.name", NAME_WAIT_S))
		return false;
	len = get_file(dir, "victim.name", name, sizeof(name));
	if (len <= 0 || fi_av_insert(av, name, 1, addr, 0, NULL) != 1)
		return fails("the victim's name (%zd bytes) is refused", len);
	return true;
}

static int survivor(const char *dir, const char *dev)
{
	static unsigned char big[BIG];
	uint64_t small = 1;
	fi_addr_t victim_addr;
	struct comp c;
	long start;
	int ret;

	ret = open_all(dev, FI_AV_TABLE, 0);
	check("open three endpoints", !ret || fails("%s", fi_strerror(-ret)));
	if (ret)
		goto out;
	check("the victim's name", read_victim(dir, &victim_addr));
	check("an eager send to the living victim completes",
	      !fi_tsend(A->ep, &small, 8, NULL, victim_addr, 1, &small) &&
	      ok_comp(A, &c, FI_SEND));
	/* The victim's kernel takes the RTS; its READ never comes. */
	ret = fi_tsend(A->ep, big, sizeof(big), NULL, victim_addr, 2, big);
	check("a rendezvous send to the victim is posted",
	      !ret || fails("%s", fi_strerror(-ret)));
	check("it waits for the victim's FIN", quiet(A, 1000));
	put_file(dir, "flag.kill", "", 0);
	if (!await_file(dir, "flag.killed", 120)) {
		check("the victim is killed", false);
		goto out;
	}
	start = now_ms();
	check("the rendezvous send ends in a CQ error entry", error_for(big));
	printf("# it came %ld ms after the kill\n", now_ms() - start);
	check("within the bound", now_ms() - start < DEATH_BOUND_MS ||
	      fails("%ld ms", now_ms() - start));
	ret = fi_tsend(A->ep, &small, 8, NULL, victim_addr, 1, &small);
	check("a new send to the dead victim: a CQ error entry",
	      ret ? fails("refused at once: %s", fi_strerror(-ret)) :
		    error_for(&small));
	check("the survivor's other peers: eager and rendezvous",
	      transfer(A, B, 100, true, 1) && transfer(A, B, BIG, true, 2));
out:
	close_all();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct role roles[2] = {
		{ "victim", victim },
		{ "survivor", survivor },
	};

	return run_role(argc, argv, roles);
}
