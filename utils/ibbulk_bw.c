// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ibbulk_bw: bandwidth of rdma-bulk WRITE, READ or SEND between two nodes,
 * in the manner of perftest's ib_*_bw. Run it without a host on the server
 * and with the server's address on the client. The two exchange endpoint
 * ids and the grant over a TCP socket; the data moves through the kernel's
 * shared connection. With --check both sides compare a digest of the bytes
 * moved afterwards. With --uring the client submits through io_uring
 * (IORING_OP_URING_CMD on the endpoint's file) instead of ibv_bulk_post().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <liburing.h>
#include <poll.h>
#include <sys/mman.h>
#include <infiniband/bulk.h>
#include "common.h"
#include "procs.h"

const char *tool_name = "ibbulk_bw";

struct opts {
	const char *dev;
	const char *host;
	const char *port;
	uint64_t size;
	unsigned int iters;
	unsigned int depth;
	uint32_t op;
	bool check;
	bool busy;	/* spin on ibv_bulk_poll() instead of sleeping */
	bool uring;	/* submit through io_uring */
	bool sqpoll;	/* ... with a kernel thread polling the ring */
	unsigned int procs;	/* processes side by side (--procs) */
	bool quiet;	/* one of them: the parent reports */
};

/* When a client's operations ran, on the node's monotonic clock. */
struct span {
	double t0, t1;
};

struct progress {
	unsigned int posted;
	unsigned int done;
	unsigned int retries;	/* SENDs the receiver was not ready for */
};

/* Operation @wr_id: slot wr_id % depth of the buffer, on both sides. */
static struct ibv_bulk_op op_for(const struct ibv_bulk_op *tmpl,
				 const struct opts *o, uint64_t wr_id)
{
	struct ibv_bulk_op op = *tmpl;

	op.wr_id = wr_id;
	op.offset = (wr_id % o->depth) * o->size;
	if (op.opcode == IBV_BULK_OP_WRITE || op.opcode == IBV_BULK_OP_READ)
		op.remote_offset = op.offset;
	return op;
}

static void post_one(struct ibv_bulk_ep *ep, const struct ibv_bulk_op *tmpl,
		     const struct opts *o, uint64_t wr_id)
{
	struct ibv_bulk_op op = op_for(tmpl, o, wr_id);
	unsigned int n;
	int ret;

	ret = ibv_bulk_post(ep, &op, 1, &n);
	if (ret)
		die("ibv_bulk_post", ret);
}

/* A completion of the client's: a SEND the receiver was not ready for
 * is tried again (true), anything else must have moved o->size bytes. */
static bool completed(const struct ibv_bulk_wc *wc, const struct ibv_bulk_op *tmpl,
		      const struct opts *o, struct progress *p)
{
	if (wc->status == ENOBUFS && tmpl->opcode == IBV_BULK_OP_SEND) {
		p->retries++;
		return true;
	}
	if (wc->status)
		die("completion", wc->status);
	if (wc->byte_len != o->size)
		die("short completion", EIO);
	p->done++;
	return false;
}

/*
 * Post and complete o->iters operations, at most o->depth outstanding;
 * with @fill_only, post the first window and return.
 */
static void run_ops(struct ibv_bulk_ep *ep, const struct ibv_bulk_op *tmpl,
		    const struct opts *o, struct progress *p, bool fill_only)
{
	struct ibv_bulk_wc wc[64];
	int got, i;

	while (p->done < o->iters) {
		while (p->posted < o->iters && p->posted - p->done < o->depth)
			post_one(ep, tmpl, o, p->posted++);
		if (fill_only)
			return;
		got = ibv_bulk_poll(ep, wc, 64);
		if (got < 0)
			die("ibv_bulk_poll", -got);
		if (!got && !o->busy) {
			/* Sleep until completions are pending: no spinning. */
			struct pollfd pfd = { .fd = ibv_bulk_ep_fd(ep),
					      .events = POLLIN };

			if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
				die("poll", errno);
			continue;
		}
		/* Receiver not ready: a SEND is simply tried again. */
		for (i = 0; i < got; i++)
			if (completed(&wc[i], tmpl, o, p))
				post_one(ep, tmpl, o, wc[i].wr_id);
	}
}

static void prep(struct io_uring *ring, struct ibv_bulk_ep *ep,
		 const struct ibv_bulk_op *tmpl, const struct opts *o,
		 uint64_t wr_id)
{
	struct ibv_bulk_op op = op_for(tmpl, o, wr_id);
	int ret;

	/* The ring has depth entries and at most depth are outstanding. */
	ret = ibv_bulk_prep_op(io_uring_get_sqe(ring), ep, &op);
	if (ret)
		die("ibv_bulk_prep_op", ret);
}

/* run_ops() through io_uring: one SQE per operation, one CQE back. */
static void run_uring(struct ibv_bulk_ep *ep, const struct ibv_bulk_op *tmpl,
		      const struct opts *o, struct progress *p)
{
	struct io_uring_params params = {
		.flags = IBV_BULK_URING_SETUP_FLAGS |
			 (o->sqpoll ? IORING_SETUP_SQPOLL : 0),
		.sq_thread_idle = 1000,
	};
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init_params(o->depth, &ring, &params);
	if (ret)
		die("io_uring_queue_init_params", -ret);
	while (p->done < o->iters) {
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0;

		while (p->posted < o->iters && p->posted - p->done < o->depth)
			prep(&ring, ep, tmpl, o, p->posted++);
		if (o->busy) {
			/*
			 * Spin on the completion ring: with SQPOLL, submitting
			 * needs no system call either while the kernel thread
			 * is awake, so the steady state makes none.
			 */
			ret = io_uring_submit(&ring);
			if (ret < 0)
				die("io_uring_submit", -ret);
			while (!io_uring_cq_ready(&ring))
				;
		} else {
			ret = io_uring_submit_and_wait(&ring, 1);
			if (ret < 0 && ret != -EINTR)
				die("io_uring_submit_and_wait", -ret);
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			struct ibv_bulk_wc wc;

			ibv_bulk_cqe_to_wc(cqe, &wc);
			if (completed(&wc, tmpl, o, p))
				prep(&ring, ep, tmpl, o, wc.wr_id);
			seen++;
		}
		io_uring_cq_advance(&ring, seen);
	}
	io_uring_queue_exit(&ring);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ibbulk_bw [-d dev] [-s size] [-n iters] [-q depth] [-p port]\n"
		"                 [--op write|read|send] [--check] [--busy-poll]\n"
		"                 [--uring [--sqpoll]] [--procs n] [host]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "op", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'c' },
		{ "busy-poll", no_argument, NULL, 'b' },
		{ "uring", no_argument, NULL, 'u' },
		{ "sqpoll", no_argument, NULL, 'S' },
		{ "procs", required_argument, NULL, 'P' },
		{}
	};
	int c;

	*o = (struct opts){ .port = "18721", .size = 65536, .iters = 1000,
			    .depth = 16, .op = IBV_BULK_OP_WRITE, .procs = 1 };
	while ((c = getopt_long(argc, argv, "d:s:n:q:p:", lopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dev = optarg; break;
		case 's': o->size = strtoull(optarg, NULL, 0); break;
		case 'n': o->iters = strtoul(optarg, NULL, 0); break;
		case 'q': o->depth = strtoul(optarg, NULL, 0); break;
		case 'p': o->port = optarg; break;
		case 'c': o->check = true; break;
		case 'b': o->busy = true; break;
		case 'u': o->uring = true; break;
		case 'S': o->sqpoll = true; break;
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
	if (optind != argc || !o->size || !o->iters || !o->depth ||
	    (o->sqpoll && !o->uring) || !o->procs || o->procs > PROCS_MAX ||
	    (o->procs > 1 && !strtoul(o->port, NULL, 10)))
		usage();
}

/* The client's table and RESULT lines for @ops operations in @t seconds. */
static void report(const struct opts *o, uint64_t ops, double t)
{
	printf(" %-10s %-10s %-10s %-7s %-18s %-14s\n", "#op", "#bytes", "#iters",
	       "#procs", "BW average[MB/s]", "MsgRate[Mpps]");
	printf(" %-10s %-10" PRIu64 " %-10u %-7u %-18.2f %-14.6f\n",
	       op_name(o->op), o->size, o->iters, o->procs,
	       o->size * (double)ops / t / 1e6, ops / t / 1e6);
	printf("RESULT bw_gbps %.4f\n", o->size * (double)ops * 8 / t / 1e9);
	printf("RESULT msg_rate_mpps %.6f\n", ops / t / 1e6);
}

/* One client or server; @span (client) gets when its operations ran. */
static int run_one(struct opts o, struct span *span)
{
	struct ibv_bulk_op tmpl = {};
	struct sockaddr_storage peer;
	struct ibv_bulk_conn *conn;
	struct ibv_bulk_mr *mr;
	struct ibv_bulk_ep *ep;
	struct ibv_context *ctx;
	struct progress prog = {};
	struct hello hello = {};
	uint64_t len, digest, other;
	unsigned char *buf;
	double t0, t;
	int sock, ret;

	len = o.size * o.depth;
	ctx = open_device(o.dev);
	ep = ibv_bulk_ep_open(ctx, NULL);
	if (!ep)
		die("ibv_bulk_ep_open", errno);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap", errno);
	for (uint64_t i = 0; i < len; i++)
		buf[i] = o.host ? (unsigned char)(i * 7 + 3) : (unsigned char)(i * 13 + 1);
	mr = ibv_bulk_reg_mr(ep, buf, len, IBV_BULK_ACCESS_REMOTE_READ |
			     IBV_BULK_ACCESS_REMOTE_WRITE);
	if (!mr)
		die("ibv_bulk_reg_mr", errno);

	sock = tcp_socket(o.host, o.port, &peer);
	if (!o.host) {
		/* Server: learn the client's endpoint, connect, grant. */
		xfer(sock, &hello, sizeof(hello), false);
		conn = ibv_bulk_connect(ep, (struct sockaddr *)&peer,
					ntohl(hello.ep_id));
		if (!conn)
			die("ibv_bulk_connect", errno);
		ret = ibv_bulk_grant(conn, mr, 0, len, IBV_BULK_ACCESS_REMOTE_READ |
				     IBV_BULK_ACCESS_REMOTE_WRITE, &hello.grant_id);
		if (ret)
			die("ibv_bulk_grant", ret);
		hello.ep_id = htonl(ibv_bulk_ep_id(ep));
		if (o.op == IBV_BULK_OP_SEND) {
			tmpl.opcode = IBV_BULK_OP_RECV;
			tmpl.mr = mr;
			tmpl.length = o.size;
			/* RECVs are posted before the client may send. */
			run_ops(ep, &tmpl, &o, &prog, true);
		}
		xfer(sock, &hello, sizeof(hello), true);
		if (o.op == IBV_BULK_OP_SEND)
			run_ops(ep, &tmpl, &o, &prog, false);
		/* Wait for the client's end, then compare. */
		xfer(sock, &other, sizeof(other), false);
		digest = fnv1a(buf, len);
		xfer(sock, &digest, sizeof(digest), true);
		ret = ibv_bulk_revoke(conn, hello.grant_id);
		if (ret)
			die("ibv_bulk_revoke", ret);
	} else {
		hello.ep_id = htonl(ibv_bulk_ep_id(ep));
		xfer(sock, &hello, sizeof(hello), true);
		xfer(sock, &hello, sizeof(hello), false);
		conn = ibv_bulk_connect(ep, (struct sockaddr *)&peer,
					ntohl(hello.ep_id));
		if (!conn)
			die("ibv_bulk_connect", errno);
		tmpl.opcode = o.op;
		tmpl.conn = conn;
		tmpl.mr = mr;
		tmpl.length = o.size;
		if (o.op != IBV_BULK_OP_SEND)
			tmpl.remote_grant = hello.grant_id;
		/* Said before a long run, so that a watcher knows it started. */
		printf("# %s %" PRIu64 " B x %u, %u in flight, to %s\n",
		       op_name(o.op), o.size, o.iters, o.depth, o.host);
		fflush(stdout);
		procs_start_together();
		t0 = now();
		if (o.uring)
			run_uring(ep, &tmpl, &o, &prog);
		else
			run_ops(ep, &tmpl, &o, &prog, false);
		t = now() - t0;
		if (span)
			*span = (struct span){ t0, t0 + t };
		digest = fnv1a(buf, len);
		xfer(sock, &digest, sizeof(digest), true);
		xfer(sock, &other, sizeof(other), false);
		if (!o.quiet)
			report(&o, o.iters, t);
		if (prog.retries)
			printf("receiver not ready: %u SENDs retried\n", prog.retries);
		if (o.check) {
			printf("check: %s (fnv1a %016" PRIx64 ")\n",
			       digest == other ? "ok" : "MISMATCH", digest);
			if (digest != other)
				return 1;
		}
	}
	close(sock);
	if (ibv_bulk_disconnect(conn) || ibv_bulk_dereg_mr(mr) ||
	    ibv_bulk_ep_close(ep))
		die("teardown", errno);
	munmap(buf, len);
	ibv_close_device(ctx);
	return 0;
}

/* One of the --procs copies: its own port, and its span for the parent. */
struct procs_arg {
	const struct opts *o;
	struct span *spans;
};

static int run_copy(unsigned int i, const char *port, void *arg)
{
	struct procs_arg *a = arg;
	struct opts one = *a->o;

	one.port = port;
	one.quiet = true;
	return run_one(one, &a->spans[i]);
}

/*
 * --procs N: the client reports the copies' aggregate from the first
 * start to the last end.
 */
static int run_procs(const struct opts *o)
{
	struct procs_arg a = { .o = o };
	double t0 = 0, t1 = 0;
	unsigned int i, failed;

	a.spans = procs_shared(o->procs * sizeof(*a.spans));
	failed = procs_run(o->procs, o->port, run_copy, &a);
	if (failed) {
		fprintf(stderr, "ibbulk_bw: %u of %u processes failed\n",
			failed, o->procs);
		return 1;
	}
	if (!o->host)
		return 0;
	for (i = 0; i < o->procs; i++) {
		if (!i || a.spans[i].t0 < t0)
			t0 = a.spans[i].t0;
		if (!i || a.spans[i].t1 > t1)
			t1 = a.spans[i].t1;
	}
	report(o, (uint64_t)o->iters * o->procs, t1 - t0);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;

	parse(argc, argv, &o);
	if (o.depth > o.iters)
		o.depth = o.iters;
	return o.procs > 1 ? run_procs(&o) : run_one(o, NULL);
}
