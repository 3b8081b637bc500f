// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * RDMA READ corner cases that the soft devices got wrong, on an RC
 * connection of a node to itself made with RDMA CM, so that iWARP (siw)
 * and RoCE (rxe) are tested alike:
 *   rc_read_checks ADDR zero-read|failed-read|late-read
 * ADDR is a local address; the device that holds it is the one tested.
 *
 * zero-read: z sends a 16 MiB WRITE to a, and a at once READs zero bytes
 *	from z. The READ request reaches z while z's send queue is busy,
 *	so z queues it and answers it later. The READ must complete with
 *	0 bytes, the WRITE must land, and a's sink must stay untouched.
 *	(siw answered with the WRITE's length and bytes, patch "Clear the
 *	SGE of a zero-length READ response".)
 * failed-read: a posts a READ into an MR without local write access,
 *	then two good READs. The first must fail; the two behind it must
 *	complete too, each once, flushed or not. (siw never completed them,
 *	patch "Flush the READs behind a failed READ response", or completed
 *	a READ not yet sent twice, patch "Flush a queued READ once".)
 * late-read: a READ that fails, then, once the QP is in the error
 *	state, another: it must complete, flushed. (siw left it, patch
 *	"Flush what a user posts to a QP in error".)
 *
 * Prints one line per round, "ok ..." or "FAIL ...", and exits 0 only if
 * every round passed. No completion within 20 s is a failure.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "rc_self.h"

#define PORT 18791
#define BIG (16u << 20)
#define SMALL 4096
#define ROUNDS 4
#define WAIT_S 20

static struct rc_self rc;
static struct rc_side *a = &rc.a, *z = &rc.z;
static struct ibv_mr *abig_mr, *zbig_mr, *asink_mr, *zsrc_mr, *aro_mr;
static uint8_t *abig, *zbig, *asink, *zsrc, *aro;

static void post(struct rc_side *sd, uint64_t wr_id, enum ibv_wr_opcode op,
		 void *laddr, uint32_t len, struct ibv_mr *lmr,
		 void *raddr, uint32_t rkey)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)laddr, .length = len, .lkey = lmr->lkey,
	};
	struct ibv_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sge, .num_sge = 1, .opcode = op,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.rdma = { .remote_addr = (uintptr_t)raddr, .rkey = rkey },
	}, *bad;

	errno = ibv_post_send(sd->id->qp, &wr, &bad);
	if (errno)
		rc_die("ibv_post_send");
}

static bool zero_read_round(int round)
{
	uint8_t fill = 0x40 + round;
	struct ibv_wc wc;
	bool ok = true;
	size_t i;

	memset(zbig, fill, BIG);
	memset(asink, 0xee, SMALL);
	post(z, 1, IBV_WR_RDMA_WRITE, zbig, BIG, zbig_mr,
	     abig, abig_mr->rkey);
	post(a, 2, IBV_WR_RDMA_READ, asink, 0, asink_mr,
	     zsrc, zsrc_mr->rkey);

	if (!rc_poll(a, &wc, WAIT_S)) {
		printf("FAIL zero-read round %d: the READ did not complete\n", round);
		return false;
	}
	if (wc.status != IBV_WC_SUCCESS || wc.byte_len) {
		printf("FAIL zero-read round %d: the READ completed with %s, %u bytes\n",
		       round, ibv_wc_status_str(wc.status), wc.byte_len);
		ok = false;
	}
	if (!rc_poll(z, &wc, WAIT_S)) {
		printf("FAIL zero-read round %d: the WRITE did not complete\n", round);
		return false;
	}
	if (wc.status != IBV_WC_SUCCESS) {
		printf("FAIL zero-read round %d: the WRITE completed with %s\n",
		       round, ibv_wc_status_str(wc.status));
		return false;
	}
	for (i = 0; i < SMALL; i++)
		if (asink[i] != 0xee) {
			printf("FAIL zero-read round %d: the READ's sink changed at byte %zu\n",
			       round, i);
			return false;
		}
	/*
	 * siw completes a WRITE once TCP has its bytes: a READ's response
	 * comes after them on z's stream, so they have landed once it is in.
	 */
	post(a, 3, IBV_WR_RDMA_READ, asink, SMALL, asink_mr,
	     zsrc, zsrc_mr->rkey);
	if (!rc_poll(a, &wc, WAIT_S) || wc.status != IBV_WC_SUCCESS) {
		printf("FAIL zero-read round %d: a READ after it failed\n", round);
		return false;
	}
	for (i = 0; i < BIG; i++)
		if (abig[i] != fill) {
			printf("FAIL zero-read round %d: the WRITE's bytes at %zu\n",
			       round, i);
			return false;
		}
	if (ok)
		printf("ok zero-read round %d: 0 bytes read while 16 MiB were written\n",
		       round);
	return ok;
}

static bool failed_read(void)
{
	struct ibv_wc wc;
	int i;

	post(a, 1, IBV_WR_RDMA_READ, aro, SMALL, aro_mr,
	     zsrc, zsrc_mr->rkey);
	post(a, 2, IBV_WR_RDMA_READ, asink, SMALL, asink_mr,
	     zsrc, zsrc_mr->rkey);
	post(a, 3, IBV_WR_RDMA_READ, asink, SMALL, asink_mr,
	     zsrc, zsrc_mr->rkey);
	for (i = 1; i <= 3; i++) {
		if (!rc_poll(a, &wc, WAIT_S)) {
			printf("FAIL failed-read: READ %d of 3 never completed\n", i);
			return false;
		}
		if (wc.wr_id != (uint64_t)i) {
			printf("FAIL failed-read: completion %d is READ %llu's\n",
			       i, (unsigned long long)wc.wr_id);
			return false;
		}
		if (i == 1 && wc.status == IBV_WC_SUCCESS) {
			printf("FAIL failed-read: a READ into a read-only MR succeeded\n");
			return false;
		}
		printf("%s READ %d: %s\n", i == 1 ? "failed-read:" : "behind it:",
		       i, ibv_wc_status_str(wc.status));
	}
	for (i = 0; i < SMALL; i++)
		if (aro[i] != 0x11) {
			printf("FAIL failed-read: the read-only MR changed at byte %d\n", i);
			return false;
		}
	printf("ok failed-read: the READ failed and the 2 behind it completed\n");
	return true;
}

/* Wait up to WAIT_S seconds for @sd's QP to reach the error state. */
static bool qp_failed(struct rc_side *sd)
{
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr attr;
	int i;

	for (i = 0; i < WAIT_S * 100; i++) {
		if (ibv_query_qp(sd->id->qp, &attr, IBV_QP_STATE, &init))
			rc_die("ibv_query_qp");
		if (attr.qp_state == IBV_QPS_ERR)
			return true;
		usleep(10000);
	}
	return false;
}

static bool late_read(void)
{
	struct ibv_wc wc;

	post(a, 1, IBV_WR_RDMA_READ, aro, SMALL, aro_mr,
	     zsrc, zsrc_mr->rkey);
	if (!rc_poll(a, &wc, WAIT_S) || wc.status == IBV_WC_SUCCESS) {
		printf("FAIL late-read: the READ into a read-only MR did not fail\n");
		return false;
	}
	if (!qp_failed(a)) {
		printf("FAIL late-read: the QP did not reach the error state\n");
		return false;
	}
	post(a, 2, IBV_WR_RDMA_READ, asink, SMALL, asink_mr,
	     zsrc, zsrc_mr->rkey);
	if (!rc_poll(a, &wc, WAIT_S)) {
		printf("FAIL late-read: a READ posted in the error state never completed\n");
		return false;
	}
	if (wc.wr_id != 2 || wc.status != IBV_WC_WR_FLUSH_ERR) {
		printf("FAIL late-read: READ %llu completed with %s\n",
		       (unsigned long long)wc.wr_id, ibv_wc_status_str(wc.status));
		return false;
	}
	printf("ok late-read: a READ posted in the error state was flushed\n");
	return true;
}

int main(int argc, char **argv)
{
	bool ok = true;
	int i;

	if (argc != 3 || (strcmp(argv[2], "zero-read") &&
			  strcmp(argv[2], "failed-read") &&
			  strcmp(argv[2], "late-read"))) {
		fprintf(stderr, "usage: rc_read_checks ADDR zero-read|failed-read|late-read\n");
		return 2;
	}
	rc_self_connect(&rc, argv[1], PORT);
	printf("device %s\n", ibv_get_device_name(a->id->verbs->device));

	abig_mr = rc_buf(a, BIG, 0, IBV_ACCESS_LOCAL_WRITE |
			 IBV_ACCESS_REMOTE_WRITE);
	/* Readable by the peer: a stale READ response could take its bytes. */
	zbig_mr = rc_buf(z, BIG, 0, IBV_ACCESS_LOCAL_WRITE |
			 IBV_ACCESS_REMOTE_READ);
	asink_mr = rc_buf(a, SMALL, 0xee, IBV_ACCESS_LOCAL_WRITE);
	zsrc_mr = rc_buf(z, SMALL, 0x5a, IBV_ACCESS_REMOTE_READ);
	aro_mr = rc_buf(a, SMALL, 0x11, 0);
	abig = abig_mr->addr;
	zbig = zbig_mr->addr;
	asink = asink_mr->addr;
	zsrc = zsrc_mr->addr;
	aro = aro_mr->addr;

	if (!strcmp(argv[2], "zero-read")) {
		for (i = 0; i < ROUNDS && ok; i++)
			ok = zero_read_round(i);
	} else if (!strcmp(argv[2], "failed-read")) {
		ok = failed_read();
	} else {
		ok = late_read();
	}
	fflush(stdout);
	/* The process's exit releases the rest; a QP in error included. */
	return ok ? 0 : 1;
}
