// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * RDMA READ corner cases that the soft devices got wrong, on an RC
 * connection of a node to itself made with RDMA CM, so that iWARP (siw)
 * and RoCE (rxe) are tested alike:
 *   rc_read_checks ADDR zero-read|failed-read
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
 *	complete too, flushed or not. (siw never completed them, patch
 *	"Flush the READs behind a failed READ response".)
 *
 * Prints one line per round, "ok ..." or "FAIL ...", and exits 0 only if
 * every round passed. No completion within 20 s is a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rdma/rdma_cma.h>

#define PORT 18791
#define BIG (16u << 20)
#define SMALL 4096
#define ROUNDS 4
#define WAIT_S 20

struct side {
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
};

static struct {
	struct rdma_event_channel *ch;
	struct rdma_cm_id *listen;
	struct side a, z;		/* a: the active side; z: the passive */
	uint8_t *abig, *zbig, *asink, *zsrc, *aro;
	struct ibv_mr *abig_mr, *zbig_mr, *asink_mr, *zsrc_mr, *aro_mr;
} s;

static void die(const char *what)
{
	fprintf(stderr, "rc_read_checks: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void *alloc(size_t len, uint8_t fill)
{
	void *p = aligned_alloc(4096, len);

	if (!p)
		die("aligned_alloc");
	memset(p, fill, len);
	return p;
}

static struct ibv_mr *reg(struct side *sd, void *p, size_t len, int access)
{
	struct ibv_mr *mr = ibv_reg_mr(sd->pd, p, len, access);

	if (!mr)
		die("ibv_reg_mr");
	return mr;
}

static void make_qp(struct side *sd, struct rdma_cm_id *id)
{
	struct ibv_qp_init_attr attr = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 8, .max_recv_wr = 1,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};

	sd->id = id;
	sd->pd = ibv_alloc_pd(id->verbs);
	if (!sd->pd)
		die("ibv_alloc_pd");
	sd->cq = ibv_create_cq(id->verbs, 16, NULL, NULL, 0);
	if (!sd->cq)
		die("ibv_create_cq");
	attr.send_cq = sd->cq;
	attr.recv_cq = sd->cq;
	if (rdma_create_qp(id, sd->pd, &attr))
		die("rdma_create_qp");
}

static struct rdma_cm_event *next_event(void)
{
	struct rdma_cm_event *ev;

	if (rdma_get_cm_event(s.ch, &ev))
		die("rdma_get_cm_event");
	return ev;
}

/* Both ends of one RC connection, driven from one thread by CM events. */
static void connect_self(const char *addr)
{
	struct rdma_conn_param param = {
		.responder_resources = 4, .initiator_depth = 4,
		.retry_count = 7, .rnr_retry_count = 7,
	};
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP }, *ai;
	struct rdma_cm_id *cid;
	char port[8];
	int up = 0;

	snprintf(port, sizeof(port), "%d", PORT);
	hints.ai_flags = RAI_PASSIVE;
	if (rdma_getaddrinfo(addr, port, &hints, &ai))
		die("rdma_getaddrinfo");
	s.ch = rdma_create_event_channel();
	if (!s.ch)
		die("rdma_create_event_channel");
	if (rdma_create_id(s.ch, &s.listen, NULL, RDMA_PS_TCP) ||
	    rdma_bind_addr(s.listen, ai->ai_src_addr) ||
	    rdma_listen(s.listen, 1))
		die("listen");
	if (rdma_create_id(s.ch, &cid, NULL, RDMA_PS_TCP) ||
	    rdma_resolve_addr(cid, NULL, ai->ai_src_addr, 5000))
		die("rdma_resolve_addr");
	rdma_freeaddrinfo(ai);

	while (up < 2) {
		struct rdma_cm_event *ev = next_event();
		struct rdma_cm_id *id = ev->id;
		enum rdma_cm_event_type type = ev->event;
		int status = ev->status;

		rdma_ack_cm_event(ev);
		switch (type) {
		case RDMA_CM_EVENT_ADDR_RESOLVED:
			if (rdma_resolve_route(id, 5000))
				die("rdma_resolve_route");
			break;
		case RDMA_CM_EVENT_ROUTE_RESOLVED:
			make_qp(&s.a, id);
			if (rdma_connect(id, &param))
				die("rdma_connect");
			break;
		case RDMA_CM_EVENT_CONNECT_REQUEST:
			make_qp(&s.z, id);
			if (rdma_accept(id, &param))
				die("rdma_accept");
			break;
		case RDMA_CM_EVENT_ESTABLISHED:
			up++;
			break;
		default:
			errno = status < 0 ? -status : EPROTO;
			fprintf(stderr, "rc_read_checks: CM event %s\n",
				rdma_event_str(type));
			die("connect");
		}
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The next completion on @sd, or false after WAIT_S seconds. */
static bool poll_one(struct side *sd, struct ibv_wc *wc)
{
	double end = now() + WAIT_S;
	int n;

	while (now() < end) {
		n = ibv_poll_cq(sd->cq, 1, wc);
		if (n < 0)
			die("ibv_poll_cq");
		if (n)
			return true;
		usleep(1000);
	}
	return false;
}

static void post(struct side *sd, uint64_t wr_id, enum ibv_wr_opcode op,
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
		die("ibv_post_send");
}

static bool zero_read_round(int round)
{
	uint8_t fill = 0x40 + round;
	struct ibv_wc wc;
	bool ok = true;
	size_t i;

	memset(s.zbig, fill, BIG);
	memset(s.asink, 0xee, SMALL);
	post(&s.z, 1, IBV_WR_RDMA_WRITE, s.zbig, BIG, s.zbig_mr,
	     s.abig, s.abig_mr->rkey);
	post(&s.a, 2, IBV_WR_RDMA_READ, s.asink, 0, s.asink_mr,
	     s.zsrc, s.zsrc_mr->rkey);

	if (!poll_one(&s.a, &wc)) {
		printf("FAIL zero-read round %d: the READ did not complete\n", round);
		return false;
	}
	if (wc.status != IBV_WC_SUCCESS || wc.byte_len) {
		printf("FAIL zero-read round %d: the READ completed with %s, %u bytes\n",
		       round, ibv_wc_status_str(wc.status), wc.byte_len);
		ok = false;
	}
	if (!poll_one(&s.z, &wc)) {
		printf("FAIL zero-read round %d: the WRITE did not complete\n", round);
		return false;
	}
	if (wc.status != IBV_WC_SUCCESS) {
		printf("FAIL zero-read round %d: the WRITE completed with %s\n",
		       round, ibv_wc_status_str(wc.status));
		return false;
	}
	for (i = 0; i < SMALL; i++)
		if (s.asink[i] != 0xee) {
			printf("FAIL zero-read round %d: the READ's sink changed at byte %zu\n",
			       round, i);
			return false;
		}
	/*
	 * siw completes a WRITE once TCP has its bytes: a READ's response
	 * comes after them on z's stream, so they have landed once it is in.
	 */
	post(&s.a, 3, IBV_WR_RDMA_READ, s.asink, SMALL, s.asink_mr,
	     s.zsrc, s.zsrc_mr->rkey);
	if (!poll_one(&s.a, &wc) || wc.status != IBV_WC_SUCCESS) {
		printf("FAIL zero-read round %d: a READ after it failed\n", round);
		return false;
	}
	for (i = 0; i < BIG; i++)
		if (s.abig[i] != fill) {
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

	post(&s.a, 1, IBV_WR_RDMA_READ, s.aro, SMALL, s.aro_mr,
	     s.zsrc, s.zsrc_mr->rkey);
	post(&s.a, 2, IBV_WR_RDMA_READ, s.asink, SMALL, s.asink_mr,
	     s.zsrc, s.zsrc_mr->rkey);
	post(&s.a, 3, IBV_WR_RDMA_READ, s.asink, SMALL, s.asink_mr,
	     s.zsrc, s.zsrc_mr->rkey);
	for (i = 1; i <= 3; i++) {
		if (!poll_one(&s.a, &wc)) {
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
		if (s.aro[i] != 0x11) {
			printf("FAIL failed-read: the read-only MR changed at byte %d\n", i);
			return false;
		}
	printf("ok failed-read: the READ failed and the 2 behind it completed\n");
	return true;
}

int main(int argc, char **argv)
{
	bool ok = true;
	int i;

	if (argc != 3 || (strcmp(argv[2], "zero-read") &&
			  strcmp(argv[2], "failed-read"))) {
		fprintf(stderr, "usage: rc_read_checks ADDR zero-read|failed-read\n");
		return 2;
	}
	connect_self(argv[1]);
	printf("device %s\n", ibv_get_device_name(s.a.id->verbs->device));

	s.abig = alloc(BIG, 0);
	s.zbig = alloc(BIG, 0);
	s.asink = alloc(SMALL, 0xee);
	s.zsrc = alloc(SMALL, 0x5a);
	s.aro = alloc(SMALL, 0x11);
	s.abig_mr = reg(&s.a, s.abig, BIG, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE);
	/* Readable by the peer: a stale READ response could take its bytes. */
	s.zbig_mr = reg(&s.z, s.zbig, BIG, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_READ);
	s.asink_mr = reg(&s.a, s.asink, SMALL, IBV_ACCESS_LOCAL_WRITE);
	s.zsrc_mr = reg(&s.z, s.zsrc, SMALL, IBV_ACCESS_REMOTE_READ);
	s.aro_mr = reg(&s.a, s.aro, SMALL, 0);

	if (!strcmp(argv[2], "zero-read")) {
		for (i = 0; i < ROUNDS && ok; i++)
			ok = zero_read_round(i);
	} else {
		ok = failed_read();
	}
	fflush(stdout);
	/* The process's exit releases the rest; a QP in error included. */
	return ok ? 0 : 1;
}
