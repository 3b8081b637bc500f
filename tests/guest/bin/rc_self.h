/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * One RC connection of a node to itself, made with RDMA CM from one
 * thread, for the test programs that check a device's verbs directly
 * (rc_read_checks, rc_retry_bind). The device is the one that holds the
 * address, so iWARP (siw) and RoCE (rxe) are set up alike.
 */
#ifndef BULK_TEST_RC_SELF_H
#define BULK_TEST_RC_SELF_H

#include <stdbool.h>
#include <stdint.h>
#include <rdma/rdma_cma.h>

struct rc_side {
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
};

struct rc_self {
	struct rdma_event_channel *ch;
	struct rdma_cm_id *listen;
	struct rc_side a;	/* the side that connected */
	struct rc_side z;	/* the side that accepted */
};

/* Exit with status 2 and the failed call's name and errno. */
void rc_die(const char *what);
/* Connect @addr (a local address) to itself on @port; exits on failure. */
void rc_self_connect(struct rc_self *rc, const char *addr, int port);
/* The next completion of @sd, or false after @seconds. */
bool rc_poll(struct rc_side *sd, struct ibv_wc *wc, int seconds);
/* A registered buffer of @len bytes filled with @fill; exits on failure. */
struct ibv_mr *rc_buf(struct rc_side *sd, size_t len, uint8_t fill,
		      int access);

#endif
