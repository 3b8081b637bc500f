// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/* One RC connection of a node to itself, from one thread: see rc_self.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "rc_self.h"

void rc_die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(errno));
	exit(2);
}

static void make_qp(struct rc_side *sd, struct rdma_cm_id *id)
{
	struct ibv_qp_init_attr attr = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 8, .max_recv_wr = 4,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};

	sd->id = id;
	sd->pd = ibv_alloc_pd(id->verbs);
	if (!sd->pd)
		rc_die("ibv_alloc_pd");
	sd->cq = ibv_create_cq(id->verbs, 16, NULL, NULL, 0);
	if (!sd->cq)
		rc_die("ibv_create_cq");
	attr.send_cq = sd->cq;
	attr.recv_cq = sd->cq;
	if (rdma_create_qp(id, sd->pd, &attr))
		rc_die("rdma_create_qp");
}

void rc_self_connect(struct rc_self *rc, const char *addr, int port)
{
	struct rdma_conn_param param = {
		.responder_resources = 4, .initiator_depth = 4,
		.retry_count = 7, .rnr_retry_count = 7,
	};
	struct rdma_addrinfo hints = {
		.ai_flags = RAI_PASSIVE, .ai_port_space = RDMA_PS_TCP,
	}, *ai;
	struct rdma_cm_id *cid;
	char service[8];
	int up = 0;

	snprintf(service, sizeof(service), "%d", port);
	if (rdma_getaddrinfo(addr, service, &hints, &ai))
		rc_die("rdma_getaddrinfo");
	rc->ch = rdma_create_event_channel();
	if (!rc->ch)
		rc_die("rdma_create_event_channel");
	if (rdma_create_id(rc->ch, &rc->listen, NULL, RDMA_PS_TCP) ||
	    rdma_bind_addr(rc->listen, ai->ai_src_addr) ||
	    rdma_listen(rc->listen, 1))
		rc_die("listen");
	if (rdma_create_id(rc->ch, &cid, NULL, RDMA_PS_TCP) ||
	    rdma_resolve_addr(cid, NULL, ai->ai_src_addr, 5000))
		rc_die("rdma_resolve_addr");
	rdma_freeaddrinfo(ai);

	while (up < 2) {
		struct rdma_cm_event *ev;
		struct rdma_cm_id *id;
		enum rdma_cm_event_type type;
		int status;

		if (rdma_get_cm_event(rc->ch, &ev))
			rc_die("rdma_get_cm_event");
		id = ev->id;
		type = ev->event;
		status = ev->status;
		rdma_ack_cm_event(ev);
		switch (type) {
		case RDMA_CM_EVENT_ADDR_RESOLVED:
			if (rdma_resolve_route(id, 5000))
				rc_die("rdma_resolve_route");
			break;
		case RDMA_CM_EVENT_ROUTE_RESOLVED:
			make_qp(&rc->a, id);
			if (rdma_connect(id, &param))
				rc_die("rdma_connect");
			break;
		case RDMA_CM_EVENT_CONNECT_REQUEST:
			make_qp(&rc->z, id);
			if (rdma_accept(id, &param))
				rc_die("rdma_accept");
			break;
		case RDMA_CM_EVENT_ESTABLISHED:
			up++;
			break;
		default:
			errno = status < 0 ? -status : EPROTO;
			fprintf(stderr, "%s: CM event %s\n",
				program_invocation_short_name,
				rdma_event_str(type));
			rc_die("connect");
		}
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

bool rc_poll(struct rc_side *sd, struct ibv_wc *wc, int seconds)
{
	double end = now() + seconds;
	int n;

	while (now() < end) {
		n = ibv_poll_cq(sd->cq, 1, wc);
		if (n < 0)
			rc_die("ibv_poll_cq");
		if (n)
			return true;
		usleep(1000);
	}
	return false;
}

struct ibv_mr *rc_buf(struct rc_side *sd, size_t len, uint8_t fill,
		      int access)
{
	void *p = aligned_alloc(4096, len);
	struct ibv_mr *mr;

	if (!p)
		rc_die("aligned_alloc");
	memset(p, fill, len);
	mr = ibv_reg_mr(sd->pd, p, len, access);
	if (!mr)
		rc_die("ibv_reg_mr");
	return mr;
}
