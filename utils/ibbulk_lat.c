// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ibbulk_lat: latency of rdma-bulk WRITE, READ or SEND between two nodes,
 * in the manner of perftest's ib_*_lat. Run it without a host on the
 * server and with the server's address on the client.
 *
 * WRITE is a ping-pong as in ib_write_lat: the client writes SIZE bytes
 * into the server's buffer, the server sees the last byte change in its
 * memory and writes back; half the round trip is the latency. SEND is the
 * same ping-pong through RECV completions. READ is the time the client's
 * READ takes to complete. Each side reaps its own completion before the
 * next operation, so the figures include what a real user pays for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <liburing.h>
#include <sys/mman.h>
#include <infiniband/bulk.h>
#include "common.h"
#include "procs.h"

const char *tool_name = "ibbulk_lat";

struct opts {
	const char *dev;
	const char *host;
	const char *port;
	uint64_t size;
	unsigned int iters;
	uint32_t op;
	bool uring;
	unsigned int procs;	/* processes side by side (--procs) */
};

struct side {
	struct ibv_bulk_ep *ep;
	struct ibv_bulk_conn *conn;
	struct ibv_bulk_mr *mr;
	volatile unsigned char *buf;	/* two halves: in, out */
	uint64_t remote_grant;
	unsigned int recvs;		/* RECV completions reaped early */
	struct io_uring ring;
	bool uring;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: ibbulk_lat [-d dev] [-s size] [-n iters] [-p port]\n"
		"                  [--op write|read|send] [--uring] [--procs n] [host]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "op", required_argument, NULL, 'o' },
		{ "uring", no_argument, NULL, 'u' },
		{ "procs", required_argument, NULL, 'P' },
		{}
	};
	int c;

	*o = (struct opts){ .port = "18722", .size = 8, .iters = 1000,
			    .op = IBV_BULK_OP_WRITE, .procs = 1 };
	while ((c = getopt_long(argc, argv, "d:s:n:p:", lopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dev = optarg; break;
		case 's': o->size = strtoull(optarg, NULL, 0); break;
		case 'n': o->iters = strtoul(optarg, NULL, 0); break;
		case 'p': o->port = optarg; break;
		case 'u': o->uring = true; break;
		case 'P': o->procs = strtoul(optarg, NULL, 0); break;
		case 'o':
			if (op_from_name(optarg, &o->op))
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		o->host = argv[optind++];
	if (optind != argc || !o->size || !o->iters || !o->procs ||
	    o->procs > PROCS_MAX || o->iters > UINT_MAX / o->procs ||
	    (o->procs > 1 && !strtoul(o->port, NULL, 10)))
		usage();
}

/* Post @op and wait for its completion: through io_uring or the ioctls. */
static void post_wait(struct side *s, const struct ibv_bulk_op *op)
{
	struct ibv_bulk_wc wc;
	unsigned int n;
	int ret;

	if (s->uring) {
		struct io_uring_cqe *cqe;

		ret = ibv_bulk_prep_op(io_uring_get_sqe(&s->ring), s->ep, op);
		if (ret)
			die("ibv_bulk_prep_op", ret);
		ret = io_uring_submit_and_wait(&s->ring, 1);
		if (ret < 0)
			die("io_uring_submit_and_wait", -ret);
		ret = io_uring_peek_cqe(&s->ring, &cqe);
		if (ret)
			die("io_uring_peek_cqe", -ret);
		ibv_bulk_cqe_to_wc(cqe, &wc);
		io_uring_cqe_seen(&s->ring, cqe);
	} else {
		ret = ibv_bulk_post(s->ep, op, 1, &n);
		if (ret)
			die("ibv_bulk_post", ret);
		/* The ring also takes incoming RECVs: count them for later. */
		do {
			while ((ret = ibv_bulk_poll(s->ep, &wc, 1)) == 0)
				;
			if (ret < 0)
				die("ibv_bulk_poll", -ret);
			if (wc.opcode == IBV_BULK_WC_RECV && !wc.status)
				s->recvs++;
		} while (wc.opcode == IBV_BULK_WC_RECV && !wc.status);
	}
	if (wc.status)
		die("completion", wc.status);
}

/* Spin until the last byte of the buffer says @mark. */
static void wait_mark(const struct side *s, const struct opts *o,
		      unsigned char mark)
{
	while (s->buf[o->size - 1] != mark)
		;
}

/* A RECV of the whole buffer, posted ahead of the SEND it will take. */
static void post_recv(struct side *s, const struct opts *o)
{
	struct ibv_bulk_op op = { .opcode = IBV_BULK_OP_RECV, .mr = s->mr,
				  .offset = 0, .length = o->size };
	unsigned int n;
	int ret;

	ret = ibv_bulk_post(s->ep, &op, 1, &n);
	if (ret)
		die("ibv_bulk_post RECV", ret);
}

static void wait_recv(struct side *s)
{
	struct ibv_bulk_wc wc;
	int ret;

	if (s->recvs) {
		s->recvs--;
		return;
	}
	while ((ret = ibv_bulk_poll(s->ep, &wc, 1)) == 0)
		;
	if (ret < 0)
		die("ibv_bulk_poll", -ret);
	if (wc.status || wc.opcode != IBV_BULK_WC_RECV)
		die("RECV completion", wc.status ?: EPROTO);
}

/*
 * One iteration's exchange; the client (@client) starts it. Returns for
 * the client when the answer arrived, for the server when it answered.
 */
static void exchange(struct side *s, const struct opts *o, unsigned int i,
		     bool client)
{
	unsigned char mark = i % 255 + 1;
	struct ibv_bulk_op op = {
		.wr_id = i, .opcode = o->op, .conn = s->conn, .mr = s->mr,
		.offset = o->size, .length = o->size,
		.remote_grant = s->remote_grant,
	};

	switch (o->op) {
	case IBV_BULK_OP_WRITE:
		if (!client)
			wait_mark(s, o, mark);
		/* The peer watches the last byte of what we write. */
		s->buf[2 * o->size - 1] = mark;
		post_wait(s, &op);
		if (client)
			wait_mark(s, o, mark);
		break;
	case IBV_BULK_OP_SEND:
		op.remote_grant = 0;
		if (!client)
			wait_recv(s);
		post_recv(s, o);
		post_wait(s, &op);
		if (client)
			wait_recv(s);
		break;
	case IBV_BULK_OP_READ:
		op.offset = 0;	/* the peer's out half into our in half */
		op.remote_offset = o->size;
		post_wait(s, &op);
		break;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The client's table and RESULT line over @n samples (microseconds, one
 * way), sorted here.
 */
static void report(const struct opts *o, double *lat, unsigned int n)
{
	double sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += lat[i];
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf(" %-8s %-8s %-12s %-7s %-12s %-14s %-12s %-12s\n", "#op", "#bytes",
	       "#iterations", "#procs", "t_min[usec]", "t_typical[usec]",
	       "t_avg[usec]", "t_99[usec]");
	printf(" %-8s %-8" PRIu64 " %-12u %-7u %-12.2f %-14.2f %-12.2f %-12.2f\n",
	       op_name(o->op), o->size, o->iters, o->procs, lat[0], lat[n / 2],
	       sum / n, lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]);
	printf("RESULT lat_typical_usec %.2f\n", lat[n / 2]);
}

/*
 * One client or server on @port. The client leaves its o->iters samples
 * (microseconds, one way) in @lat.
 */
static int run_one(const struct opts *o, const char *port, double *lat)
{
	struct sockaddr_storage peer;
	struct hello mine = {}, theirs = {};
	struct side s = {};
	struct ibv_context *ctx;
	bool client = o->host;
	unsigned int i;
	int sock, ret;
	double t;
	char done;

	ctx = open_device(o->dev);
	s.ep = ibv_bulk_ep_open(ctx, NULL);
	if (!s.ep)
		die("ibv_bulk_ep_open", errno);
	s.buf = mmap(NULL, 2 * o->size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s.buf == MAP_FAILED)
		die("mmap", errno);
	memset((void *)s.buf, 0, 2 * o->size);
	s.mr = ibv_bulk_reg_mr(s.ep, (void *)s.buf, 2 * o->size,
			       IBV_BULK_ACCESS_REMOTE_READ |
			       IBV_BULK_ACCESS_REMOTE_WRITE);
	if (!s.mr)
		die("ibv_bulk_reg_mr", errno);
	s.uring = o->uring;
	if (s.uring) {
		ret = io_uring_queue_init(4, &s.ring, IBV_BULK_URING_SETUP_FLAGS);
		if (ret)
			die("io_uring_queue_init", -ret);
	}

	/* Ids, then each side's grant of its buffer to the other. */
	sock = tcp_socket(o->host, port, &peer);
	mine.ep_id = htonl(ibv_bulk_ep_id(s.ep));
	xfer(sock, &mine, sizeof(mine), true);
	xfer(sock, &theirs, sizeof(theirs), false);
	s.conn = ibv_bulk_connect(s.ep, (struct sockaddr *)&peer,
				  ntohl(theirs.ep_id));
	if (!s.conn)
		die("ibv_bulk_connect", errno);
	ret = ibv_bulk_grant(s.conn, s.mr, 0, 2 * o->size,
			     IBV_BULK_ACCESS_REMOTE_READ |
			     IBV_BULK_ACCESS_REMOTE_WRITE, &mine.grant_id);
	if (ret)
		die("ibv_bulk_grant", ret);
	xfer(sock, &mine, sizeof(mine), true);
	xfer(sock, &theirs, sizeof(theirs), false);
	s.remote_grant = theirs.grant_id;
	if (o->op == IBV_BULK_OP_SEND)
		post_recv(&s, o);
	/* Both sides ready (the first RECV posted) before the client starts. */
	xfer(sock, &done, 1, true);
	xfer(sock, &done, 1, false);
	/* With --procs, the clients' ping-pongs overlap from the first. */
	if (client)
		procs_start_together();

	for (i = 0; i < o->iters; i++) {
		if (!client && o->op == IBV_BULK_OP_READ)
			break;	/* nothing for the server to do */
		t = now();
		exchange(&s, o, i, client);
		/* A ping-pong's time is a round trip: half of it each way. */
		if (client)
			lat[i] = (now() - t) /
				 (o->op == IBV_BULK_OP_READ ? 1e-6 : 2e-6);
	}
	/* The server's last RECV (SEND) stays posted: closing cancels it. */
	xfer(sock, &done, 1, true);
	xfer(sock, &done, 1, false);

	close(sock);
	if (s.uring)
		io_uring_queue_exit(&s.ring);
	ret = ibv_bulk_revoke(s.conn, mine.grant_id);
	if (ret)
		die("ibv_bulk_revoke", ret);
	if (ibv_bulk_disconnect(s.conn) || ibv_bulk_dereg_mr(s.mr) ||
	    ibv_bulk_ep_close(s.ep))
		die("teardown", errno);
	munmap((void *)s.buf, 2 * o->size);
	ibv_close_device(ctx);
	return 0;
}

/* One of the --procs copies: its own port, its own slice of the samples. */
struct procs_arg {
	const struct opts *o;
	double *lat;
};

static int run_copy(unsigned int i, const char *port, void *arg)
{
	struct procs_arg *a = arg;

	return run_one(a->o, port, a->lat + (size_t)i * a->o->iters);
}

int main(int argc, char **argv)
{
	struct procs_arg a;
	unsigned int failed;
	struct opts o;

	parse(argc, argv, &o);
	a.o = &o;
	/*
	 * --procs N: N ping-pongs side by side over the node's one
	 * connection; the client reports over all their samples together.
	 */
	a.lat = procs_shared((size_t)o.procs * o.iters * sizeof(*a.lat));
	if (o.procs == 1)
		failed = !!run_one(&o, o.port, a.lat);
	else
		failed = procs_run(o.procs, o.port, run_copy, &a);
	if (failed) {
		fprintf(stderr, "ibbulk_lat: %u of %u processes failed\n",
			failed, o.procs);
		return 1;
	}
	if (o.host)
		report(&o, a.lat, o.procs * o.iters);
	return 0;
}
