// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Many processes with several endpoints each, all over the node pair's one
 * shared connection, moving a fixed amount of data that is checked byte
 * for byte (the load test of tests/pair/load-pair).
 *   bulk_load [-d DEV] [-P PROCS] [-E EPS] [-r ROUNDS] [-p BASEPORT] [HOST]
 * Without HOST it serves: PROCS processes, process i on TCP port
 * BASEPORT + i, each with EPS endpoints that grant 64 KiB to their client
 * endpoint and post ROUNDS RECVs of 16 KiB. With HOST, PROCS client
 * processes: in each of ROUNDS rounds every endpoint WRITEs 64 KiB of a
 * pattern of its own (process, endpoint, round) to its grant, READs it
 * back into other memory and compares, and SENDs 16 KiB that the server
 * compares. Every completion must come once, with the wr_id, status and
 * length expected. The server compares its granted memory with the last
 * round's pattern at the end. Each side prints its totals, and exits 0
 * only when every process checked every byte.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <infiniband/bulk.h>
#include "common.h"

#define WSIZE (64 * 1024)	/* WRITE and READ */
#define SSIZE (16 * 1024)	/* SEND */
#define MAX_EPS 16
#define MAX_ROUNDS 64

const char *tool_name = "bulk_load";

enum kind { K_WRITE, K_READ, K_SEND, K_RECV, K_NUM };

struct opts {
	const char *dev, *host;
	unsigned int procs, eps, rounds, port;
};

/* What one process reports to the parent, and what the parent sums. */
struct totals {
	uint64_t ops[K_NUM];
	uint64_t bytes;		/* moved and compared */
};

struct ep_side {
	struct ibv_bulk_ep *ep;
	struct ibv_bulk_mr *mr;
	struct ibv_bulk_conn *conn;
	unsigned char *buf;
	size_t len;
	uint32_t remote_ep;
	uint64_t grant;		/* client: the server's grant to it */
	/* completions seen, one bit per (round, kind): none may come twice */
	uint8_t seen[MAX_ROUNDS][K_NUM];
};

/* The bytes of (process, endpoint, round, kind): a xorshift stream. */
static void pattern(unsigned char *p, size_t len, unsigned int proc,
		    unsigned int ep, unsigned int round, enum kind kind)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)proc << 40) ^
		     ((uint64_t)ep << 32) ^ ((uint64_t)round << 8) ^ kind;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x >> 24;
	}
}

static bool matches(const unsigned char *p, size_t len, unsigned int proc,
		    unsigned int ep, unsigned int round, enum kind kind)
{
	unsigned char *want = malloc(len);
	bool ok;

	if (!want)
		die("malloc", ENOMEM);
	pattern(want, len, proc, ep, round, kind);
	ok = !memcmp(p, want, len);
	free(want);
	return ok;
}

static void fail(unsigned int proc, const char *what, unsigned int ep,
		 unsigned int round)
{
	fprintf(stderr, "bulk_load: process %u endpoint %u round %u: %s\n",
		proc, ep, round, what);
	exit(1);
}

static uint64_t wr_id(unsigned int ep, unsigned int round, enum kind kind)
{
	return (uint64_t)ep << 32 | round << 8 | kind;
}

/*
 * Waits for one completion on each endpoint for (@round, @kind) and checks
 * it: the wr_id and length expected, status 0, never seen before.
 */
static void complete_all(struct ep_side *eps, unsigned int n, unsigned int proc,
			 unsigned int round, enum kind kind, size_t len,
			 struct totals *t)
{
	unsigned int j, left = n;
	struct ibv_bulk_wc wc;
	int got;

	while (left) {
		got = 0;
		for (j = 0; j < n && !got; j++) {
			got = ibv_bulk_poll(eps[j].ep, &wc, 1);
			if (got < 0)
				die("ibv_bulk_poll", -got);
			if (!got)
				continue;
			if (wc.status)
				fail(proc, strerror(wc.status), j, round);
			if (wc.wr_id != wr_id(j, round, kind) || wc.byte_len != len)
				fail(proc, "unexpected completion", j, round);
			if (eps[j].seen[round][kind]++)
				fail(proc, "completed twice", j, round);
			t->ops[kind]++;
			left--;
		}
		if (!got) {
			struct pollfd pfd[MAX_EPS];

			for (j = 0; j < n; j++)
				pfd[j] = (struct pollfd){ .fd = ibv_bulk_ep_fd(eps[j].ep),
							  .events = POLLIN };
			if (poll(pfd, n, 1000) < 0 && errno != EINTR)
				die("poll", errno);
		}
	}
}

static void post(struct ep_side *s, uint32_t opcode, uint64_t offset,
		 uint64_t len, uint64_t id)
{
	struct ibv_bulk_op op = {
		.wr_id = id, .opcode = opcode, .conn = s->conn, .mr = s->mr,
		.offset = offset, .length = len,
	};
	unsigned int n;
	int ret;

	if (opcode == IBV_BULK_OP_WRITE || opcode == IBV_BULK_OP_READ)
		op.remote_grant = s->grant;
	if (opcode == IBV_BULK_OP_RECV)
		op.conn = NULL;
	ret = ibv_bulk_post(s->ep, &op, 1, &n);
	if (ret)
		die("ibv_bulk_post", ret);
}

static void open_eps(struct ibv_context *ctx, struct ep_side *eps,
		     unsigned int n, size_t len)
{
	unsigned int j;

	for (j = 0; j < n; j++) {
		eps[j].ep = ibv_bulk_ep_open(ctx, NULL);
		if (!eps[j].ep)
			die("ibv_bulk_ep_open", errno);
		eps[j].len = len;
		eps[j].buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (eps[j].buf == MAP_FAILED)
			die("mmap", errno);
		eps[j].mr = ibv_bulk_reg_mr(eps[j].ep, eps[j].buf, len,
					    IBV_BULK_ACCESS_REMOTE_READ |
					    IBV_BULK_ACCESS_REMOTE_WRITE);
		if (!eps[j].mr)
			die("ibv_bulk_reg_mr", errno);
	}
}

static void close_eps(struct ibv_context *ctx, struct ep_side *eps,
		      unsigned int n, bool server)
{
	unsigned int j;
	int ret;

	for (j = 0; j < n; j++) {
		if (server) {
			ret = ibv_bulk_revoke(eps[j].conn, eps[j].grant);
			if (ret)
				die("ibv_bulk_revoke", ret);
		}
		if (ibv_bulk_disconnect(eps[j].conn) ||
		    ibv_bulk_dereg_mr(eps[j].mr) || ibv_bulk_ep_close(eps[j].ep))
			die("teardown", errno);
		munmap(eps[j].buf, eps[j].len);
	}
	ibv_close_device(ctx);
}

/*
 * Server process @proc: buffer = granted WRITE target, then one RECV slot
 * per round.
 */
static void serve(const struct opts *o, unsigned int proc, struct totals *t)
{
	struct ep_side eps[MAX_EPS] = {};
	uint32_t ids[MAX_EPS], done;
	struct hello hello[MAX_EPS];
	struct ibv_context *ctx = open_device(o->dev);
	struct sockaddr_storage peer;
	unsigned int j, r;
	char port[16];
	int sock;

	open_eps(ctx, eps, o->eps, WSIZE + (size_t)o->rounds * SSIZE);
	snprintf(port, sizeof(port), "%u", o->port + proc);
	sock = tcp_socket(NULL, port, &peer);
	xfer(sock, ids, o->eps * sizeof(ids[0]), false);
	for (j = 0; j < o->eps; j++) {
		eps[j].remote_ep = ntohl(ids[j]);
		eps[j].conn = ibv_bulk_connect(eps[j].ep, (struct sockaddr *)&peer,
					       eps[j].remote_ep);
		if (!eps[j].conn)
			die("ibv_bulk_connect", errno);
		errno = ibv_bulk_grant(eps[j].conn, eps[j].mr, 0, WSIZE,
				       IBV_BULK_ACCESS_REMOTE_READ |
				       IBV_BULK_ACCESS_REMOTE_WRITE, &eps[j].grant);
		if (errno)
			die("ibv_bulk_grant", errno);
		for (r = 0; r < o->rounds; r++)
			post(&eps[j], IBV_BULK_OP_RECV, WSIZE + (uint64_t)r * SSIZE,
			     SSIZE, wr_id(j, r, K_RECV));
		hello[j] = (struct hello){ .ep_id = htonl(ibv_bulk_ep_id(eps[j].ep)),
					   .grant_id = eps[j].grant };
	}
	xfer(sock, hello, o->eps * sizeof(hello[0]), true);
	/* The client's SENDs arrive in order: one per endpoint per round. */
	for (r = 0; r < o->rounds; r++) {
		struct ibv_bulk_wc wc;

		for (j = 0; j < o->eps; j++) {
			int got;

			while (!(got = ibv_bulk_poll(eps[j].ep, &wc, 1))) {
				struct pollfd pfd = { .fd = ibv_bulk_ep_fd(eps[j].ep),
						      .events = POLLIN };

				poll(&pfd, 1, 1000);
			}
			if (got < 0)
				die("ibv_bulk_poll", -got);
			if (wc.status || wc.opcode != IBV_BULK_WC_RECV ||
			    wc.wr_id != wr_id(j, r, K_RECV) || wc.byte_len != SSIZE ||
			    wc.src_ep != eps[j].remote_ep)
				fail(proc, "unexpected RECV completion", j, r);
			if (eps[j].seen[r][K_RECV]++)
				fail(proc, "RECV completed twice", j, r);
			if (!matches(eps[j].buf + WSIZE + (size_t)r * SSIZE, SSIZE,
				     proc, j, r, K_SEND))
				fail(proc, "SEND data differs", j, r);
			t->ops[K_RECV]++;
			t->bytes += SSIZE;
		}
	}
	/* The client is done: the granted memory holds its last WRITE. */
	xfer(sock, &done, sizeof(done), false);
	for (j = 0; j < o->eps; j++)
		if (!matches(eps[j].buf, WSIZE, proc, j, o->rounds - 1, K_WRITE))
			fail(proc, "granted memory differs from the last WRITE", j,
			     o->rounds - 1);
	xfer(sock, &done, sizeof(done), true);
	close(sock);
	close_eps(ctx, eps, o->eps, true);
}

/* Client process @proc: buffer = WRITE source, READ sink, SEND source. */
static void client(const struct opts *o, unsigned int proc, struct totals *t)
{
	struct ep_side eps[MAX_EPS] = {};
	struct hello hello[MAX_EPS];
	struct ibv_context *ctx = open_device(o->dev);
	uint32_t ids[MAX_EPS], done = 1;
	struct sockaddr_storage peer;
	unsigned int j, r;
	char port[16];
	int sock;

	open_eps(ctx, eps, o->eps, 2 * WSIZE + SSIZE);
	for (j = 0; j < o->eps; j++)
		ids[j] = htonl(ibv_bulk_ep_id(eps[j].ep));
	snprintf(port, sizeof(port), "%u", o->port + proc);
	sock = tcp_socket(o->host, port, &peer);
	xfer(sock, ids, o->eps * sizeof(ids[0]), true);
	xfer(sock, hello, o->eps * sizeof(hello[0]), false);
	for (j = 0; j < o->eps; j++) {
		eps[j].remote_ep = ntohl(hello[j].ep_id);
		eps[j].grant = hello[j].grant_id;
		eps[j].conn = ibv_bulk_connect(eps[j].ep, (struct sockaddr *)&peer,
					       eps[j].remote_ep);
		if (!eps[j].conn)
			die("ibv_bulk_connect", errno);
	}
	for (r = 0; r < o->rounds; r++) {
		for (j = 0; j < o->eps; j++) {
			pattern(eps[j].buf, WSIZE, proc, j, r, K_WRITE);
			memset(eps[j].buf + WSIZE, 0, WSIZE);
			post(&eps[j], IBV_BULK_OP_WRITE, 0, WSIZE, wr_id(j, r, K_WRITE));
		}
		complete_all(eps, o->eps, proc, r, K_WRITE, WSIZE, t);
		for (j = 0; j < o->eps; j++)
			post(&eps[j], IBV_BULK_OP_READ, WSIZE, WSIZE, wr_id(j, r, K_READ));
		complete_all(eps, o->eps, proc, r, K_READ, WSIZE, t);
		for (j = 0; j < o->eps; j++) {
			/* What the WRITE placed, as READ brought it back. */
			if (!matches(eps[j].buf + WSIZE, WSIZE, proc, j, r, K_WRITE))
				fail(proc, "READ back differs from the WRITE", j, r);
			t->bytes += 2 * WSIZE;
			pattern(eps[j].buf + 2 * WSIZE, SSIZE, proc, j, r, K_SEND);
			post(&eps[j], IBV_BULK_OP_SEND, 2 * WSIZE, SSIZE,
			     wr_id(j, r, K_SEND));
		}
		complete_all(eps, o->eps, proc, r, K_SEND, SSIZE, t);
	}
	xfer(sock, &done, sizeof(done), true);
	xfer(sock, &done, sizeof(done), false);
	close(sock);
	close_eps(ctx, eps, o->eps, false);
}

static void parse(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){ .procs = 32, .eps = 4, .rounds = 8, .port = 18800 };
	while ((c = getopt(argc, argv, "d:P:E:r:p:")) != -1) {
		switch (c) {
		case 'd': o->dev = optarg; break;
		case 'P': o->procs = strtoul(optarg, NULL, 0); break;
		case 'E': o->eps = strtoul(optarg, NULL, 0); break;
		case 'r': o->rounds = strtoul(optarg, NULL, 0); break;
		case 'p': o->port = strtoul(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (optind < argc)
		o->host = argv[optind++];
	if (optind == argc && o->procs && o->procs <= 256 && o->eps &&
	    o->eps <= MAX_EPS && o->rounds && o->rounds <= MAX_ROUNDS &&
	    o->port && o->port + o->procs <= 65536)
		return;
usage:
	fprintf(stderr, "usage: bulk_load [-d DEV] [-P PROCS (1-256)] [-E EPS (1-%d)] "
		"[-r ROUNDS (1-%d)] [-p BASEPORT] [HOST]\n", MAX_EPS, MAX_ROUNDS);
	exit(2);
}

int main(int argc, char **argv)
{
	struct totals sum = {}, t;
	unsigned int i, ok = 0, done = 0;
	struct opts o;
	double t0;
	int fds[2], status;
	pid_t pid;

	parse(argc, argv, &o);
	if (pipe(fds))
		die("pipe", errno);
	t0 = now();
	for (i = 0; i < o.procs; i++) {
		pid = fork();
		if (pid < 0)
			die("fork", errno);
		if (!pid) {
			memset(&t, 0, sizeof(t));
			close(fds[0]);
			if (o.host)
				client(&o, i, &t);
			else
				serve(&o, i, &t);
			if (write(fds[1], &t, sizeof(t)) != sizeof(t))
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	/*
	 * Totals of the processes that finished (each one atomic write),
	 * with a progress line every 10 s while some still run.
	 */
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		ssize_t got;

		if (!poll(&pfd, 1, 10000)) {
			fprintf(stderr, "bulk_load: %u of %u processes done after %.0f s\n",
				done, o.procs, now() - t0);
			continue;
		}
		got = read(fds[0], &t, sizeof(t));
		if (got != sizeof(t))
			break;
		done++;
		for (i = 0; i < K_NUM; i++)
			sum.ops[i] += t.ops[i];
		sum.bytes += t.bytes;
	}
	while ((pid = wait(&status)) > 0)
		ok += WIFEXITED(status) && !WEXITSTATUS(status);
	printf("%s: %u of %u processes x %u endpoints checked every byte: "
	       "%llu WRITEs, %llu READs, %llu SENDs, %llu RECVs, %.1f MiB compared "
	       "in %.1f s\n", o.host ? "client" : "server", ok, o.procs, o.eps,
	       (unsigned long long)sum.ops[K_WRITE],
	       (unsigned long long)sum.ops[K_READ],
	       (unsigned long long)sum.ops[K_SEND],
	       (unsigned long long)sum.ops[K_RECV], sum.bytes / 1048576.0,
	       now() - t0);
	return ok == o.procs ? 0 : 1;
}
