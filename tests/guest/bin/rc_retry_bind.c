// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * A retry of the send queue over a local operation that already ran, on
 * an RC connection of the node to itself (rxe: iWARP devices have no
 * memory windows):
 *   rc_retry_bind ADDR
 * a posts a SEND and, behind it, the bind of a type 2 memory window. z
 * has no receive posted, so the SEND draws an RNR NAK; the requester
 * has executed the bind by then, and the retry after the RNR timer
 * rewinds the send queue over it. z posts its receive 200 ms later.
 * Both work requests must succeed, the SEND's bytes must arrive and the
 * QP must stay in RTS: rxe executed the bind a second time, which fails
 * for a bound window, and the QP died with flushes only (rxe patch "Do
 * not run a local operation again on a retry"). Four rounds, a new window each. Prints one line per round,
 * "ok ..." or "FAIL ...", and exits 0 only if all passed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "rc_self.h"

#define PORT 18792
#define MSG 64
#define ROUNDS 4
#define WAIT_S 20

static struct rc_self rc;

static bool round_ok(int round, struct ibv_mr *msg, struct ibv_mr *rbuf,
		     struct ibv_mr *target)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)msg->addr, .length = MSG, .lkey = msg->lkey,
	};
	struct ibv_sge rsge = {
		.addr = (uintptr_t)rbuf->addr, .length = MSG,
		.lkey = rbuf->lkey,
	};
	struct ibv_recv_wr rwr = { .wr_id = 3, .sg_list = &rsge, .num_sge = 1 };
	struct ibv_send_wr bind = {
		.wr_id = 2, .opcode = IBV_WR_BIND_MW,
		.send_flags = IBV_SEND_SIGNALED,
	}, send = {
		.wr_id = 1, .sg_list = &sge, .num_sge = 1,
		.opcode = IBV_WR_SEND, .send_flags = IBV_SEND_SIGNALED,
		.next = &bind,
	}, *bad;
	struct ibv_recv_wr *rbad;
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr attr;
	struct ibv_mw *mw;
	struct ibv_wc wc;
	int i;

	mw = ibv_alloc_mw(rc.a.pd, IBV_MW_TYPE_2);
	if (!mw)
		rc_die("ibv_alloc_mw");
	bind.bind_mw.mw = mw;
	bind.bind_mw.rkey = ibv_inc_rkey(mw->rkey);
	bind.bind_mw.bind_info.mr = target;
	bind.bind_mw.bind_info.addr = (uintptr_t)target->addr;
	bind.bind_mw.bind_info.length = 4096;
	bind.bind_mw.bind_info.mw_access_flags = IBV_ACCESS_REMOTE_WRITE;
	memset(msg->addr, 0x30 + round, MSG);
	memset(rbuf->addr, 0, MSG);

	/* One post: both are queued before the requester looks. */
	errno = ibv_post_send(rc.a.id->qp, &send, &bad);
	if (errno)
		rc_die("ibv_post_send");
	usleep(200000);
	errno = ibv_post_recv(rc.z.id->qp, &rwr, &rbad);
	if (errno)
		rc_die("ibv_post_recv");

	for (i = 1; i <= 2; i++) {
		if (!rc_poll(&rc.a, &wc, WAIT_S)) {
			printf("FAIL round %d: work request %d never completed\n",
			       round, i);
			return false;
		}
		if (wc.wr_id != (uint64_t)i || wc.status != IBV_WC_SUCCESS) {
			printf("FAIL round %d: %s completed with %s\n", round,
			       wc.wr_id == 1 ? "the SEND" : "the bind",
			       ibv_wc_status_str(wc.status));
			return false;
		}
	}
	if (!rc_poll(&rc.z, &wc, WAIT_S) || wc.status != IBV_WC_SUCCESS ||
	    wc.byte_len != MSG || memcmp(rbuf->addr, msg->addr, MSG)) {
		printf("FAIL round %d: the SEND did not arrive whole\n", round);
		return false;
	}
	if (ibv_query_qp(rc.a.id->qp, &attr, IBV_QP_STATE, &init))
		rc_die("ibv_query_qp");
	if (attr.qp_state != IBV_QPS_RTS) {
		printf("FAIL round %d: the QP is in state %d, not RTS\n", round,
		       attr.qp_state);
		return false;
	}
	printf("ok round %d: the SEND drew an RNR NAK, its retry passed the bind\n",
	       round);
	/* Bound windows stay until the process exits. */
	return true;
}

int main(int argc, char **argv)
{
	struct ibv_mr *msg, *rbuf, *target;
	bool ok = true;
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: rc_retry_bind ADDR\n");
		return 2;
	}
	rc_self_connect(&rc, argv[1], PORT);
	printf("device %s\n", ibv_get_device_name(rc.a.id->verbs->device));
	msg = rc_buf(&rc.a, MSG, 0, 0);
	rbuf = rc_buf(&rc.z, MSG, 0, IBV_ACCESS_LOCAL_WRITE);
	target = rc_buf(&rc.a, 4096, 0, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_MW_BIND);
	for (i = 0; i < ROUNDS && ok; i++)
		ok = round_ok(i, msg, rbuf, target);
	fflush(stdout);
	return ok ? 0 : 1;
}
