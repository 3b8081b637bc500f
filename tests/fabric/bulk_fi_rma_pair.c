// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * FI_RMA of the bulk libfabric provider across two nodes: the initiator
 * WRITEs into the target's MR by its key and READs it back, and READs
 * what the target put there itself; the target checks its own memory.
 *
 *   bulk_fi_rma_pair target DIR [-d DEVICE]
 *       registers an MR under key 0x5151, writes its endpoint's name to
 *       DIR/target.name, makes progress (it answers the grant request)
 *       until DIR/flag.rma-done, then checks the written bytes and says
 *       "ok" or why not in DIR/target.verdict
 *   bulk_fi_rma_pair initiator DIR [-d DEVICE]
 *       the RMA, then DIR/flag.rma-done; prints "ok NAME" / "FAIL NAME:
 *       why" per check and the counts line
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fi_harness.h"

#define KEY		0x5151
#define OFF		8192		/* zeros between the two */
#define OWN		4096		/* the target's own bytes, at 0 */
#define SIZE		(OFF + BIG + 4096)
#define WAIT_S		300

static int target(const char *dir, const char *dev)
{
	static unsigned char mem[SIZE];
	struct fid_mr *mr;
	char name[64], verdict[300];
	size_t len = sizeof(name);
	int ret;

	fill(mem, OWN, 31);
	ret = open_all(dev, FI_AV_TABLE, 0);
	if (!ret)
		ret = fi_mr_reg(domain, mem, SIZE,
				FI_REMOTE_READ | FI_REMOTE_WRITE, 0, KEY, 0,
				&mr, NULL);
	if (!ret)
		ret = fi_getname(&A->ep->fid, name, &len);
	if (ret) {
		fprintf(stderr, "target: %s\n", fi_strerror(-ret));
		return 1;
	}
	if (put_file(dir, "target.name", name, len))
		return 1;
	if (!await_file(dir, "flag.rma-done", WAIT_S))
		snprintf(verdict, sizeof(verdict), "%s", why);
	else if (!same(mem + OFF, BIG, 30))
		snprintf(verdict, sizeof(verdict), "the WRITE: %s", why);
	else if (mem[OFF - 1] || mem[OFF + BIG])
		snprintf(verdict, sizeof(verdict), "a byte beside it changed");
	else
		snprintf(verdict, sizeof(verdict), "ok");
	fi_close(&mr->fid);
	close_all();
	return put_file(dir, "target.verdict", verdict,
			  strlen(verdict)) ? 1 : 0;
}

static int initiator(const char *dir, const char *dev)
{
	unsigned char *src = malloc(BIG), *back = calloc(1, BIG);
	char name[64] = "", verdict[300] = "";
	fi_addr_t peer = FI_ADDR_NOTAVAIL;
	struct comp c;
	int ret;

	ret = open_all(dev, FI_AV_TABLE, 0);
	check("open three endpoints", !ret || fails("%s", fi_strerror(-ret)));
	if (ret || !src || !back)
		goto out;
	fill(src, BIG, 30);
	if (await_file(dir, "target.name", WAIT_S) &&
	    (get_file(dir, "target.name", name, sizeof(name)) <= 0 ||
	     fi_av_insert(av, name, 1, &peer, 0, NULL) != 1))
		fails("the target's name is refused");
	check("the target's name", peer != FI_ADDR_NOTAVAIL);
	if (peer == FI_ADDR_NOTAVAIL)
		goto out;
	check("fi_write of 1 MiB into the target's MR by its key",
	      (!fi_write(A->ep, src, BIG, NULL, peer, OFF, KEY, src) ||
	       fails("post")) && ok_comp(A, &c, FI_RMA | FI_WRITE));
	check("fi_read of it back",
	      (!fi_read(A->ep, back, BIG, NULL, peer, OFF, KEY, back) ||
	       fails("post")) && ok_comp(A, &c, FI_RMA | FI_READ) &&
	      same(back, BIG, 30));
	check("fi_read of the target's own bytes",
	      (!fi_read(A->ep, back, OWN, NULL, peer, 0, KEY, back) ||
	       fails("post")) && ok_comp(A, &c, FI_RMA | FI_READ) &&
	      same(back, OWN, 31));
	put_file(dir, "flag.rma-done", "", 0);
	if (await_file(dir, "target.verdict", WAIT_S)) {
		ssize_t n = get_file(dir, "target.verdict", verdict,
				     sizeof(verdict) - 1);

		verdict[n > 0 ? n : 0] = '\0';
	}
	check("the target finds the WRITE's bytes in its memory, none beside",
	      !strcmp(verdict, "ok") || fails("target: %s", verdict));
out:
	put_file(dir, "flag.rma-done", "", 0);
	close_all();
	free(src);
	free(back);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct role roles[2] = {
		{ "target", target },
		{ "initiator", initiator },
	};

	return run_role(argc, argv, roles);
}
