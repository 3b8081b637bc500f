/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * The set-up that the single-guest test programs share: two endpoints of
 * one device, each with an MR, connected to each other through the node's
 * own address, and a grant of z's MR to a.
 */
#ifndef BULK_TEST_LOOPBACK_H
#define BULK_TEST_LOOPBACK_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <infiniband/bulk.h>

struct loopback {
	struct ibv_context *ctx;
	struct sockaddr_in node;
	struct ibv_bulk_ep *a, *z;
	struct ibv_bulk_mr *amr;	/* over abuf, no remote access */
	struct ibv_bulk_mr *zmr;	/* over zbuf, remote READ and WRITE */
	struct ibv_bulk_conn *az, *za;
	uint64_t grant;			/* all of zmr, READ and WRITE, for a */
	const char *failed;		/* the call an error came from */
};

/* 0, or an errno with lb->failed naming the call. */
int loopback_open(struct loopback *lb, const char *dev, const char *addr,
		  void *abuf, void *zbuf, size_t len);
/* Everything undone in order; 0, or an errno with lb->failed set. */
int loopback_close(struct loopback *lb);

#endif
