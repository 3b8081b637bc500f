// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * A fuzzer for the bulk uverbs methods and the io_uring command.
 *   bulk_fuzz DEVICE NODE_ADDR CALLS SEED
 * Sets up two endpoints with MRs, connections to each other over the
 * node's own address and a grant, then makes CALLS calls: RDMA_VERBS_IOCTL
 * on a random bulk method (random or mutated handles, lengths, offsets,
 * flags, reserved fields, attribute ids, sizes and flags, header fields)
 * and IORING_OP_URING_CMD with a mutated command, fd, flags and buffer
 * index. Objects the calls create join the pools the next calls draw
 * from; successful destroys leave them. Prints the totals:
 *   calls N ioctl I uring U ok K hung H
 *   errno NAME COUNT	(one line per errno seen)
 * The guest test judges the kernel log and what still works afterwards.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <infiniband/bulk.h>
#include <rdma/ib_user_ioctl_bulk.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include <rdma/rdma_user_ioctl.h>
#include "../../../providers/bulk/bulk_priv.h"
#include "loopback.h"

#define BUF_SIZE (1 << 20)
#define POOL 32
#define RING_DEPTH 64
#define MAX_ATTRS 12

static struct {
	struct loopback lb;
	char *buf, *fbuf;
	struct io_uring ring;
	unsigned int ring_inflight;
	/* What calls may name: valid and stale handles, fds and grants. */
	int fds[POOL], nfds;
	uint32_t mrs[POOL], nmrs;	/* uverbs handles */
	uint32_t conns[POOL], nconns;
	uint32_t mr_ids[POOL], nmr_ids;	/* what operations name them by */
	uint32_t conn_ids[POOL], nconn_ids;
	uint64_t grants[POOL], ngrants;
	uint64_t rnd;
	unsigned long calls, ioctls, urings, ok, hung;
	unsigned long errs[512];
} s;

/*
 * Where every out-attribute points: the kernel may write (or zero) as
 * many bytes as a spoiled length says, up to 64 KiB.
 */
static union {
	unsigned char bytes[65536];
	struct ib_uverbs_bulk_ep_resp ep;
	struct ib_uverbs_bulk_mr_resp mr;
	struct ib_uverbs_bulk_connect_resp conn;
	struct ib_uverbs_bulk_grant_resp grant;
	struct ib_uverbs_bulk_wc wc[16];
	uint32_t num;
} out;

static void die(const char *what, int err)
{
	fprintf(stderr, "bulk_fuzz: %s: %s\n", what, strerror(err));
	exit(2);
}

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed. */
	s.rnd ^= s.rnd >> 12;
	s.rnd ^= s.rnd << 25;
	s.rnd ^= s.rnd >> 27;
	return s.rnd * 0x2545f4914f6cdd1dULL;
}

static unsigned int pick(unsigned int n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return pick(100) < percent;
}

/* Numbers that sit on the edges checks are made of. */
static uint64_t edgy(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 7, 4095, 4096, 4097, 65536, 1 << 20, (1 << 20) + 1,
		8 << 20, (8 << 20) + 1, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, 0x7fffffffffffffffULL, ~0ULL, ~0ULL - 4095,
	};

	switch (pick(4)) {
	case 0:
		return edges[pick(sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return pick(8192);
	case 2:
		return 1ULL << pick(64);
	default:
		return rnd();
	}
}

static void count(int ret)
{
	s.calls++;
	if (!ret)
		s.ok++;
	else if (ret > 0 && ret < 512)
		s.errs[ret]++;
	else
		s.errs[0]++;
}

static void pool_add32(uint32_t *pool, uint32_t *n, uint32_t v)
{
	if (*n < POOL)
		pool[(*n)++] = v;
	else
		pool[pick(POOL)] = v;
}

/* A handle from the pool (maybe destroyed since) or a random one. */
static uint32_t any32(const uint32_t *pool, uint32_t n)
{
	return n && chance(85) ? pool[pick(n)] : (uint32_t)edgy();
}

static int any_fd(void)
{
	switch (pick(10)) {
	case 0:
		return s.lb.ctx->cmd_fd;
	case 1:
		return (int)pick(64) - 1;
	default:
		return s.fds[pick(s.nfds)];
	}
}

/* Spoil a struct: random fields, then maybe its length. */
static void mutate(void *p, size_t len)
{
	unsigned char *b = p;
	unsigned int i, n = pick(4);

	for (i = 0; i < n && len >= 4; i++) {
		size_t off = pick(len / 4) * 4;
		uint64_t v = edgy();

		memcpy(b + off, &v, len - off < 8 ? 4 : (chance(50) ? 8 : 4));
	}
	if (chance(5))
		b[pick(len)] ^= 1 << pick(8);
}

struct call {
	struct ib_uverbs_ioctl_hdr hdr;
	struct ib_uverbs_attr attrs[MAX_ATTRS];
};

static void call_init(struct call *c, uint16_t obj, uint16_t method)
{
	memset(c, 0, sizeof(*c));
	c->hdr.object_id = obj;
	c->hdr.method_id = method;
	c->hdr.driver_id = s.lb.a->driver_id;
}

static struct ib_uverbs_attr *attr(struct call *c, uint16_t id, int64_t data,
				   uint16_t len)
{
	struct ib_uverbs_attr *at = &c->attrs[c->hdr.num_attrs++];

	at->attr_id = id;
	at->flags = UVERBS_ATTR_F_MANDATORY;
	at->len = len;
	at->data_s64 = data;
	return at;
}

/* In-attributes of up to 8 bytes travel inline, as the library sends them. */
static void attr_in(struct call *c, uint16_t id, const void *p, size_t len)
{
	struct ib_uverbs_attr *at = attr(c, id, (uintptr_t)p, len);

	if (len <= sizeof(at->data)) {
		at->data = 0;
		memcpy(&at->data, p, len);
	}
}

/* Spoil the call's framing: attribute ids, sizes, flags, the header. */
static void spoil(struct call *c)
{
	struct ib_uverbs_attr *at;

	if (!c->hdr.num_attrs)
		return;
	at = &c->attrs[pick(c->hdr.num_attrs)];
	switch (pick(12)) {
	case 0:
		at->attr_id = edgy();
		break;
	case 1:
		at->len = edgy();
		break;
	case 2:
		at->flags = edgy();
		break;
	case 3:
		at->attr_data.reserved = edgy();
		break;
	case 4:
		c->hdr.num_attrs--;	/* one missing */
		break;
	case 5:
		if (c->hdr.num_attrs < MAX_ATTRS)	/* one twice */
			c->attrs[c->hdr.num_attrs++] = *at;
		break;
	case 6:
		c->hdr.method_id = pick(8);
		break;
	case 7:
		c->hdr.reserved1 = edgy();
		break;
	case 8:
		c->hdr.driver_id = edgy();
		break;
	case 9:
		at->data = edgy();
		break;
	default:
		break;
	}
}

static int call_exec(struct call *c)
{
	int ret;

	if (chance(30))
		spoil(c);
	c->hdr.length = sizeof(c->hdr) + c->hdr.num_attrs * sizeof(c->attrs[0]);
	if (chance(1))
		c->hdr.length = edgy();
	ret = ioctl(s.lb.ctx->cmd_fd, RDMA_VERBS_IOCTL, &c->hdr) ? errno : 0;
	s.ioctls++;
	count(ret);
	return ret;
}

static void fuzz_ep_create(void)
{
	struct ib_uverbs_bulk_ep_attr ea = { .cq_depth = pick(2) ? 0 : edgy() };
	struct ib_uverbs_attr *fd;
	struct call c;

	mutate(&ea, sizeof(ea));
	call_init(&c, UVERBS_OBJECT_BULK_EP, UVERBS_METHOD_BULK_EP_CREATE);
	fd = attr(&c, UVERBS_ATTR_BULK_EP_CREATE_HANDLE, -1, 0);
	if (chance(70))
		attr_in(&c, UVERBS_ATTR_BULK_EP_CREATE_ATTR, &ea,
			chance(80) ? sizeof(ea) : pick(40));
	attr(&c, UVERBS_ATTR_BULK_EP_CREATE_RESP, (uintptr_t)&out,
	     chance(90) ? sizeof(out.ep) : pick(40));
	if (call_exec(&c) || fd->attr_id != UVERBS_ATTR_BULK_EP_CREATE_HANDLE)
		return;
	/* Keep a few endpoints; the pool's first two are a and z. */
	if (s.nfds < 8) {
		s.fds[s.nfds++] = fd->data_s64;
	} else {
		unsigned int i = 2 + pick(s.nfds - 2);

		close(s.fds[i]);
		s.fds[i] = fd->data_s64;
	}
}

static void fuzz_post(void)
{
	struct ib_uverbs_bulk_op ops[4];
	unsigned int i, n = 1 + pick(4);
	struct call c;

	for (i = 0; i < n; i++) {
		struct ib_uverbs_bulk_op *op = &ops[i];

		memset(op, 0, sizeof(*op));
		op->wr_id = rnd();
		op->opcode = pick(5);
		op->conn_id = any32(s.conn_ids, s.nconn_ids);
		op->mr_id = any32(s.mr_ids, s.nmr_ids);
		op->offset = pick(BUF_SIZE);
		op->length = 1 + pick(chance(90) ? 4096 : BUF_SIZE);
		if (op->opcode <= IB_UVERBS_BULK_OP_READ) {
			op->remote_grant = s.ngrants && chance(85) ?
					   s.grants[pick(s.ngrants)] : edgy();
			op->remote_offset = pick(BUF_SIZE);
		}
		if (op->opcode == IB_UVERBS_BULK_OP_RECV)
			op->conn_id = 0;
		if (chance(10)) {
			op->flags = IB_UVERBS_BULK_OP_F_IMM;
			op->imm = rnd();
		}
		if (chance(30))
			mutate(op, sizeof(*op));
	}
	call_init(&c, UVERBS_OBJECT_BULK_EP, UVERBS_METHOD_BULK_EP_POST);
	attr(&c, UVERBS_ATTR_BULK_EP_POST_HANDLE, any_fd(), 0);
	attr(&c, UVERBS_ATTR_BULK_EP_POST_OPS, (uintptr_t)ops,
	     chance(90) ? n * sizeof(ops[0]) : pick(sizeof(ops) + 64));
	if (chance(90))
		attr(&c, UVERBS_ATTR_BULK_EP_POST_NUM_POSTED, (uintptr_t)&out,
		     chance(90) ? sizeof(out.num) : pick(16));
	call_exec(&c);
}

static void fuzz_poll(void)
{
	static uint32_t num[4];
	struct call c;

	call_init(&c, UVERBS_OBJECT_BULK_EP, UVERBS_METHOD_BULK_EP_POLL);
	attr(&c, UVERBS_ATTR_BULK_EP_POLL_HANDLE, any_fd(), 0);
	attr(&c, UVERBS_ATTR_BULK_EP_POLL_WC, (uintptr_t)&out,
	     chance(80) ? sizeof(out.wc) : pick(sizeof(out.wc) + 1));
	attr(&c, UVERBS_ATTR_BULK_EP_POLL_NUM, (uintptr_t)num,
	     chance(90) ? sizeof(num[0]) : pick(sizeof(num)));
	call_exec(&c);
}

static void fuzz_mr_reg(void)
{
	struct ib_uverbs_bulk_mr_reg reg = {
		.addr = (uintptr_t)s.buf + pick(BUF_SIZE),
		.length = 1 + pick(BUF_SIZE / 2),
		.access = pick(4),
	};
	struct ib_uverbs_attr *h;
	struct call c;

	if (chance(30))
		mutate(&reg, sizeof(reg));
	call_init(&c, UVERBS_OBJECT_BULK_MR, UVERBS_METHOD_BULK_MR_REG);
	h = attr(&c, UVERBS_ATTR_BULK_MR_REG_HANDLE, 0, 0);
	attr(&c, UVERBS_ATTR_BULK_MR_REG_EP, any_fd(), 0);
	attr_in(&c, UVERBS_ATTR_BULK_MR_REG_CMD, &reg,
		chance(90) ? sizeof(reg) : pick(64));
	attr(&c, UVERBS_ATTR_BULK_MR_REG_RESP, (uintptr_t)&out,
	     chance(90) ? sizeof(out.mr) : pick(32));
	if (!call_exec(&c) && h->attr_id == UVERBS_ATTR_BULK_MR_REG_HANDLE) {
		pool_add32(s.mrs, &s.nmrs, h->data);
		pool_add32(s.mr_ids, &s.nmr_ids, out.mr.mr_id);
	}
}

/* Destroy an MR or a connection handle (maybe a base one: fine). */
static void fuzz_destroy(uint16_t obj, uint16_t method, uint16_t id,
			 uint32_t handle)
{
	struct call c;

	call_init(&c, obj, method);
	attr(&c, id, handle, 0);
	call_exec(&c);
}

static void fuzz_connect(void)
{
	struct ib_uverbs_bulk_connect cmd = {
		.remote_ep_id = chance(70) ? (pick(2) ? s.lb.a->id : s.lb.z->id) : edgy(),
		.timeout_ms = 2000,
	};
	struct sockaddr_in6 addr6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in addr = s.lb.node;
	struct ib_uverbs_attr *h;
	const void *ap = &addr;
	size_t alen = sizeof(addr);
	struct call c;

	if (chance(30))
		mutate(&cmd, sizeof(cmd));
	cmd.timeout_ms = cmd.timeout_ms % 4000;	/* no long waits */
	switch (pick(10)) {
	case 0:
		addr.sin_addr.s_addr = 0;
		break;
	case 1:
		addr.sin_family = edgy();
		break;
	case 2:
		ap = &addr6;
		alen = sizeof(addr6);
		break;
	case 3:
		alen = pick(sizeof(addr6) + 8);
		break;
	case 4:
		addr.sin_port = rnd();
		break;
	case 5:		/* the node again, as a v4-mapped IPv6 address */
		addr6.sin6_addr.s6_addr32[2] = htonl(0xffff);
		addr6.sin6_addr.s6_addr32[3] = addr.sin_addr.s_addr;
		ap = &addr6;
		alen = sizeof(addr6);
		break;
	case 6:		/* any IPv6 address, maybe link-local, any scope */
		mutate(&addr6.sin6_addr, sizeof(addr6.sin6_addr));
		if (chance(50))
			addr6.sin6_addr.s6_addr32[0] = htonl(0xfe800000);
		addr6.sin6_scope_id = chance(50) ? rnd() : 0;
		ap = &addr6;
		alen = chance(80) ? sizeof(addr6) : pick(sizeof(addr6));
		break;
	default:
		break;
	}
	call_init(&c, UVERBS_OBJECT_BULK_CONN, UVERBS_METHOD_BULK_CONN_CONNECT);
	h = attr(&c, UVERBS_ATTR_BULK_CONN_CONNECT_HANDLE, 0, 0);
	attr(&c, UVERBS_ATTR_BULK_CONN_CONNECT_EP, any_fd(), 0);
	attr(&c, UVERBS_ATTR_BULK_CONN_CONNECT_ADDR, (uintptr_t)ap, alen);
	attr_in(&c, UVERBS_ATTR_BULK_CONN_CONNECT_CMD, &cmd,
		chance(90) ? sizeof(cmd) : pick(32));
	attr(&c, UVERBS_ATTR_BULK_CONN_CONNECT_RESP, (uintptr_t)&out,
	     chance(90) ? sizeof(out.conn) : pick(32));
	if (!call_exec(&c) && h->attr_id == UVERBS_ATTR_BULK_CONN_CONNECT_HANDLE) {
		pool_add32(s.conns, &s.nconns, h->data);
		pool_add32(s.conn_ids, &s.nconn_ids, out.conn.conn_id);
	}
}

static void fuzz_grant(void)
{
	struct ib_uverbs_bulk_grant cmd = {
		.offset = pick(BUF_SIZE),
		.length = 1 + pick(BUF_SIZE),
		.access = 1 + pick(3),
	};
	struct call c;

	if (chance(30))
		mutate(&cmd, sizeof(cmd));
	call_init(&c, UVERBS_OBJECT_BULK_CONN, UVERBS_METHOD_BULK_CONN_GRANT);
	attr(&c, UVERBS_ATTR_BULK_CONN_GRANT_HANDLE, any32(s.conns, s.nconns), 0);
	attr(&c, UVERBS_ATTR_BULK_CONN_GRANT_MR, any32(s.mrs, s.nmrs), 0);
	attr_in(&c, UVERBS_ATTR_BULK_CONN_GRANT_CMD, &cmd,
		chance(90) ? sizeof(cmd) : pick(48));
	attr(&c, UVERBS_ATTR_BULK_CONN_GRANT_RESP, (uintptr_t)&out,
	     chance(90) ? sizeof(out.grant) : pick(32));
	if (!call_exec(&c)) {
		if (s.ngrants < POOL)
			s.grants[s.ngrants++] = out.grant.grant_id;
		else
			s.grants[pick(POOL)] = out.grant.grant_id;
	}
}

static void fuzz_revoke(void)
{
	struct ib_uverbs_bulk_revoke cmd = {
		.grant_id = s.ngrants && chance(80) ? s.grants[pick(s.ngrants)] :
			    edgy(),
	};
	struct call c;

	if (chance(30))
		mutate(&cmd, sizeof(cmd));
	call_init(&c, UVERBS_OBJECT_BULK_CONN, UVERBS_METHOD_BULK_CONN_REVOKE);
	attr(&c, UVERBS_ATTR_BULK_CONN_REVOKE_HANDLE, any32(s.conns, s.nconns), 0);
	attr_in(&c, UVERBS_ATTR_BULK_CONN_REVOKE_CMD, &cmd,
		chance(90) ? sizeof(cmd) : pick(32));
	call_exec(&c);
}

/* Take whatever CQEs are there (all of them, at the end). */
static void uring_reap(bool all)
{
	struct __kernel_timespec ts = { .tv_sec = 120 };
	struct io_uring_cqe *cqe;

	while (s.ring_inflight) {
		int ret = all ? io_uring_wait_cqe_timeout(&s.ring, &cqe, &ts) :
				io_uring_peek_cqe(&s.ring, &cqe);

		if (ret == -ETIME) {
			s.hung = s.ring_inflight;
			return;
		}
		if (ret)
			return;
		count(cqe->res < 0 ? -cqe->res : 0);
		io_uring_cqe_seen(&s.ring, cqe);
		s.ring_inflight--;
	}
}

static void fuzz_uring(void)
{
	struct ibv_bulk_op op = {
		.opcode = pick(3),	/* the library refuses RECV here */
		.conn = s.lb.az,
		.mr = s.lb.amr,
		.offset = pick(BUF_SIZE / 2),
		.length = 1 + pick(65536),
		.remote_grant = s.ngrants && chance(85) ?
				s.grants[pick(s.ngrants)] : edgy(),
		.remote_offset = pick(BUF_SIZE / 2),
	};
	struct ib_uverbs_bulk_uring_cmd *cmd;
	struct io_uring_sqe *sqe;

	if (s.ring_inflight >= RING_DEPTH - 1)
		uring_reap(true);
	sqe = io_uring_get_sqe(&s.ring);
	if (!sqe)
		die("io_uring_get_sqe", EBUSY);
	if (chance(30)) {
		op.mr = NULL;
		op.offset = 0;
		if (ibv_bulk_prep_op_fixed(sqe, s.lb.a, &op,
					   s.fbuf + pick(BUF_SIZE / 2), 0))
			die("ibv_bulk_prep_op_fixed", EINVAL);
	} else if (ibv_bulk_prep_op(sqe, s.lb.a, &op)) {
		die("ibv_bulk_prep_op", EINVAL);
	}
	/* The command area as the kernel reads it. */
	cmd = (struct ib_uverbs_bulk_uring_cmd *)sqe->cmd;
	if (chance(40))
		mutate(cmd, sizeof(*cmd));
	switch (pick(8)) {
	case 0:
		sqe->fd = any_fd();
		break;
	case 1:
		sqe->cmd_op = edgy();
		break;
	case 2:
		sqe->uring_cmd_flags = edgy();
		break;
	case 3:
		sqe->buf_index = edgy();
		break;
	default:
		break;
	}
	sqe->user_data = 1;
	if (io_uring_submit(&s.ring) != 1)
		die("io_uring_submit", EIO);
	s.urings++;
	s.ring_inflight++;
	uring_reap(false);
}

static void setup(const char *dev, const char *addr)
{
	struct io_uring_params p = { .flags = IBV_BULK_URING_SETUP_FLAGS };
	struct iovec iov;
	int i;

	s.buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s.fbuf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s.buf == MAP_FAILED || s.fbuf == MAP_FAILED)
		die("mmap", errno);
	/* Both MRs over one buffer: what lands can be read back through a. */
	errno = loopback_open(&s.lb, dev, addr, s.buf, s.buf, BUF_SIZE);
	if (errno)
		die(s.lb.failed, errno);
	s.fds[s.nfds++] = s.lb.a->fd;
	s.fds[s.nfds++] = s.lb.z->fd;
	pool_add32(s.mrs, &s.nmrs, s.lb.amr->handle);
	pool_add32(s.mrs, &s.nmrs, s.lb.zmr->handle);
	pool_add32(s.conns, &s.nconns, s.lb.az->handle);
	pool_add32(s.conns, &s.nconns, s.lb.za->handle);
	pool_add32(s.mr_ids, &s.nmr_ids, s.lb.amr->id);
	pool_add32(s.mr_ids, &s.nmr_ids, s.lb.zmr->id);
	pool_add32(s.conn_ids, &s.nconn_ids, s.lb.az->id);
	pool_add32(s.conn_ids, &s.nconn_ids, s.lb.za->id);
	s.grants[s.ngrants++] = s.lb.grant;

	i = io_uring_queue_init_params(RING_DEPTH, &s.ring, &p);
	if (i)
		die("io_uring_queue_init_params", -i);
	iov.iov_base = s.fbuf;
	iov.iov_len = BUF_SIZE;
	i = io_uring_register_buffers(&s.ring, &iov, 1);
	if (i)
		die("io_uring_register_buffers", -i);
}

static void one_call(void)
{
	switch (pick(20)) {
	case 0:
		fuzz_ep_create();
		break;
	case 1: case 2: case 3: case 4: case 5:
		fuzz_post();
		break;
	case 6: case 7:
		fuzz_poll();
		break;
	case 8: case 9:
		fuzz_mr_reg();
		break;
	case 10:
		fuzz_destroy(UVERBS_OBJECT_BULK_MR, UVERBS_METHOD_BULK_MR_DEREG,
			     UVERBS_ATTR_BULK_MR_DEREG_HANDLE,
			     any32(s.mrs, s.nmrs));
		break;
	case 11:
		fuzz_connect();
		break;
	case 12:
		if (chance(20))
			fuzz_destroy(UVERBS_OBJECT_BULK_CONN,
				     UVERBS_METHOD_BULK_CONN_DISCONNECT,
				     UVERBS_ATTR_BULK_CONN_DISCONNECT_HANDLE,
				     any32(s.conns, s.nconns));
		else
			fuzz_grant();
		break;
	case 13:
		fuzz_revoke();
		break;
	default:
		fuzz_uring();
		break;
	}
}

int main(int argc, char **argv)
{
	unsigned long n, i, step;
	int e;

	if (argc != 5) {
		fprintf(stderr, "usage: bulk_fuzz DEVICE NODE_ADDR CALLS SEED\n");
		return 2;
	}
	setup(argv[1], argv[2]);
	n = strtoul(argv[3], NULL, 0);
	s.rnd = strtoull(argv[4], NULL, 0) | 1;
	step = n / 10 ? n / 10 : 1;
	for (i = 0; s.calls < n; i++) {
		one_call();
		if (i % step == step - 1) {
			fprintf(stderr, "bulk_fuzz: %lu calls\n", s.calls);
			fflush(stderr);
		}
	}
	uring_reap(true);
	printf("calls %lu ioctl %lu uring %lu ok %lu hung %lu\n", s.calls,
	       s.ioctls, s.urings, s.ok, s.hung);
	for (e = 0; e < 512; e++)
		if (s.errs[e])
			printf("errno %s %lu\n",
			       e ? strerrorname_np(e) : "other", s.errs[e]);
	/* Everything else goes with the process, as with a crash. */
	return 0;
}
