// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * The kernel's input checks of POST, POLL, MR REG/DEREG and the connection
 * methods, reached with attributes the library never sends: bad handles,
 * wrong object types, short, long and misaligned attributes, non-zero
 * reserved fields and comp_mask bits, bad lengths and faulting pointers.
 *   bulk_raw_input DEVICE NODE_ADDR
 * Sets up one endpoint with an MR, a connection to itself and a grant
 * through libibbulk, then prints one line per case, "<case> <ERRNO|ok>"
 * (POST cases add " posted=N"; the MR cache's id cases print whether an
 * id was the same or new), and "done". The guest test holds the
 * expected results; this program only reports what the kernel said.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/un.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include <rdma/ib_user_ioctl_bulk.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include "../../../providers/bulk/bulk_priv.h"
#include "../../../providers/bulk/cmd_ioctl.h"
#include "device.h"

#define BUF_SIZE (1 << 20)

static struct {
	struct ibv_context *ctx;
	struct ibv_bulk_ep *ep, *ep2;
	struct ibv_bulk_mr *mr, *mr2, *pad;
	struct ibv_bulk_conn *conn;
	uint64_t grant;
	char *buf, *buf2, *ro, *noaccess;
	int pipe_fd;
} s;

static void die(const char *what, int err)
{
	fprintf(stderr, "bulk_raw_input: %s: %s\n", what, strerror(err));
	exit(2);
}

static void report(const char *name, int ret)
{
	printf("%s %s\n", name, ret ? strerrorname_np(ret) : "ok");
}

static void init(struct bulk_ioctl *cmd, uint16_t obj, uint16_t method)
{
	bulk_ioctl_init(cmd, obj, method, s.ep->driver_id);
}

static int exec(struct bulk_ioctl *cmd)
{
	return bulk_ioctl_exec(s.ctx->cmd_fd, cmd);
}

/* A valid 4 KiB WRITE from the MR to the grant, for the cases to spoil. */
static struct ib_uverbs_bulk_op good_op(void)
{
	struct ib_uverbs_bulk_op op = {
		.wr_id = 7,
		.opcode = IB_UVERBS_BULK_OP_WRITE,
		.conn_id = s.conn->id,
		.mr_id = s.mr->id,
		.length = 4096,
		.remote_grant = s.grant,
	};
	return op;
}

static int post_raw(int ep_fd, const void *ops, size_t len, bool num_attr,
		    uint32_t *posted)
{
	struct bulk_ioctl cmd;

	*posted = ~0u;
	init(&cmd, UVERBS_OBJECT_BULK_EP, UVERBS_METHOD_BULK_EP_POST);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_EP_POST_HANDLE, ep_fd);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_EP_POST_OPS, ops, len);
	if (num_attr)
		bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_EP_POST_NUM_POSTED,
				   posted, sizeof(*posted));
	return exec(&cmd);
}

static void post_case(const char *name, const struct ib_uverbs_bulk_op *ops,
		      size_t len)
{
	uint32_t posted;
	int ret = post_raw(s.ep->fd, ops, len, true, &posted);

	printf("%s %s posted=%d\n", name, ret ? strerrorname_np(ret) : "ok",
	       (int)posted);
}

/* Waits for @n completions; every one must be a success. */
static int reap(int n)
{
	struct ibv_bulk_wc wc[8];
	struct pollfd pfd = { .fd = s.ep->fd, .events = POLLIN };
	int got = 0, i, ret;

	while (got < n) {
		ret = ibv_bulk_poll(s.ep, wc, 8);
		if (ret < 0)
			return -ret;
		for (i = 0; i < ret; i++)
			if (wc[i].status)
				return wc[i].status;
		got += ret;
		if (got < n && poll(&pfd, 1, 60000) != 1)
			return ETIMEDOUT;
	}
	return 0;
}

static void post_cases(void)
{
	struct ib_uverbs_bulk_op ops[2], op;
	uint32_t posted;
	int ret;

	op = good_op();
	post_case("post_valid", &op, sizeof(op));
	report("post_valid_completes", reap(1));

#define POST_BAD(name, field, value) do {			\
		op = good_op();					\
		op.field = value;				\
		post_case(name, &op, sizeof(op));		\
	} while (0)
	POST_BAD("post_reserved", reserved, 1);
	POST_BAD("post_opcode", opcode, 99);
	POST_BAD("post_flags", flags, 1u << 31);
	POST_BAD("post_imm_without_flag", imm, 5);
	POST_BAD("post_zero_length", length, 0);
	POST_BAD("post_huge_length", length, 1ULL << 62);
	POST_BAD("post_offset_past_mr", offset, BUF_SIZE);
	POST_BAD("post_offset_overflow", offset, ~0ULL - 100);
	POST_BAD("post_bad_mr", mr_id, 0xdead);
	POST_BAD("post_mr_of_other_ep", mr_id, s.mr2->id);
	POST_BAD("post_bad_conn", conn_id, 0xdead);
	POST_BAD("post_recv_with_conn", opcode, IB_UVERBS_BULK_OP_RECV);
#undef POST_BAD
	op = good_op();
	op.opcode = IB_UVERBS_BULK_OP_READ;
	op.flags = IB_UVERBS_BULK_OP_F_IMM;
	post_case("post_imm_on_read", &op, sizeof(op));
	op = good_op();
	op.opcode = IB_UVERBS_BULK_OP_SEND;
	post_case("post_send_with_grant", &op, sizeof(op));

	/* The first op goes, the second stops the batch. */
	ops[0] = good_op();
	ops[1] = good_op();
	ops[1].reserved = 1;
	post_case("post_second_bad", ops, sizeof(ops));
	report("post_second_bad_first_completes", reap(1));

	op = good_op();
	post_case("post_short_attr", &op, sizeof(op) / 2);
	post_case("post_misaligned_attr", ops, sizeof(op) + 8);
	post_case("post_ops_fault", (void *)s.noaccess, sizeof(op));

	ret = post_raw(s.ep->fd, &op, sizeof(op), false, &posted);
	report("post_no_num_attr", ret);
	ret = post_raw(s.pipe_fd, &op, sizeof(op), true, &posted);
	report("post_not_an_ep", ret);
	ret = post_raw(-1, &op, sizeof(op), true, &posted);
	report("post_closed_fd", ret);
	ret = post_raw(s.ep2->fd, &op, sizeof(op), true, &posted);
	report("post_ids_of_another_ep", ret);
}

static int poll_raw(void *wc, size_t len, uint32_t *num)
{
	struct bulk_ioctl cmd;

	init(&cmd, UVERBS_OBJECT_BULK_EP, UVERBS_METHOD_BULK_EP_POLL);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_EP_POLL_HANDLE, s.ep->fd);
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_EP_POLL_WC, wc, len);
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_EP_POLL_NUM, num,
			   sizeof(*num));
	return exec(&cmd);
}

static void poll_cases(void)
{
	struct ib_uverbs_bulk_wc wc[2];
	uint32_t num;

	report("poll_empty", poll_raw(wc, sizeof(wc), &num));
	report("poll_short_attr", poll_raw(wc, sizeof(wc[0]) - 8, &num));
	report("poll_misaligned_attr", poll_raw(wc, sizeof(wc[0]) + 8, &num));
}

/* @resp: where the kernel writes its answer; NULL for a local buffer. */
static int reg_raw(int ep_fd, const void *cmdp, size_t len, uint32_t *handle,
		   void *resp)
{
	struct ib_uverbs_bulk_mr_resp local;
	struct ib_uverbs_attr *h;
	struct bulk_ioctl cmd;
	int ret;

	init(&cmd, UVERBS_OBJECT_BULK_MR, UVERBS_METHOD_BULK_MR_REG);
	h = bulk_ioctl_new(&cmd, UVERBS_ATTR_BULK_MR_REG_HANDLE);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_MR_REG_EP, ep_fd);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_MR_REG_CMD, cmdp, len);
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_MR_REG_RESP, resp ?: &local,
			   sizeof(local));
	ret = exec(&cmd);
	if (!ret)
		*handle = h->data;
	return ret;
}

static int dereg_raw(uint32_t handle)
{
	struct bulk_ioctl cmd;

	init(&cmd, UVERBS_OBJECT_BULK_MR, UVERBS_METHOD_BULK_MR_DEREG);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_MR_DEREG_HANDLE, handle);
	return exec(&cmd);
}

static void reg_case(const char *name, int ep_fd, const void *cmdp, size_t len)
{
	uint32_t handle;
	int ret = reg_raw(ep_fd, cmdp, len, &handle, NULL);

	/* A case that unexpectedly succeeds must not leave its MR behind. */
	if (!ret && dereg_raw(handle))
		die("dereg", EIO);
	report(name, ret);
}

/*
 * A deregistered MR that the endpoint's cache keeps: its id stays taken
 * (another registration gets a new one) but names nothing an operation
 * may use, and registering the same range again gets the id back.
 */
static void cached_mr_cases(const struct ib_uverbs_bulk_mr_reg *good)
{
	struct ib_uverbs_bulk_mr_reg other = *good;
	struct ib_uverbs_bulk_mr_resp first, resp;
	uint32_t handle, other_handle, posted;
	struct ib_uverbs_bulk_op op;

	other.addr += 4096;
	if (reg_raw(s.ep->fd, good, sizeof(*good), &handle, &first) ||
	    dereg_raw(handle))
		die("reg/dereg", EIO);
	op = good_op();
	op.mr_id = first.mr_id;
	post_case("post_cached_mr_id", &op, sizeof(op));
	if (reg_raw(s.ep->fd, &other, sizeof(other), &other_handle, &resp))
		die("reg other", EIO);
	printf("reg_other_while_cached_id %s\n",
	       resp.mr_id == first.mr_id ? "same" : "new");
	if (reg_raw(s.ep->fd, good, sizeof(*good), &handle, &resp))
		die("reg again", EIO);
	printf("reg_hit_id %s\n", resp.mr_id == first.mr_id ? "same" : "new");
	op.mr_id = resp.mr_id;
	report("post_after_hit",
	       post_raw(s.ep->fd, &op, sizeof(op), true, &posted) ?: reap(1));
	if (dereg_raw(handle) || dereg_raw(other_handle))
		die("dereg", EIO);
}

static void mr_cases(void)
{
	struct {
		struct ib_uverbs_bulk_mr_reg reg;
		uint64_t tail;
	} big;
	struct ib_uverbs_bulk_mr_reg good = {
		.addr = (uintptr_t)s.buf2, .length = 4096,
		.access = IB_UVERBS_BULK_ACCESS_REMOTE_WRITE,
	}, r;

	reg_case("reg_valid", s.ep->fd, &good, sizeof(good));
	cached_mr_cases(&good);
#define REG_BAD(name, field, value) do {			\
		r = good;					\
		r.field = value;				\
		reg_case(name, s.ep->fd, &r, sizeof(r));	\
	} while (0)
	REG_BAD("reg_reserved", reserved, 1);
	REG_BAD("reg_comp_mask", comp_mask, 1);
	REG_BAD("reg_zero_length", length, 0);
	REG_BAD("reg_access_unknown", access, 1u << 7);
	REG_BAD("reg_huge_length", length, 1ULL << 62);
	REG_BAD("reg_wrapping_range", addr, ~0ULL - 100);
	REG_BAD("reg_unmapped", addr, (uintptr_t)s.noaccess);
	REG_BAD("reg_read_only_remote_write", addr, (uintptr_t)s.ro);
	REG_BAD("reg_kernel_address", addr, 0xffff888000000000ULL);
	/* In the address space, but more than the node's memory (1 TiB). */
	r = good;
	r.addr = 1 << 16;
	r.length = 1ULL << 40;
	reg_case("reg_larger_than_memory", s.ep->fd, &r, sizeof(r));
#undef REG_BAD
	r = good;
	r.addr = (uintptr_t)s.ro;
	r.access = IB_UVERBS_BULK_ACCESS_REMOTE_READ;
	reg_case("reg_read_only_remote_read", s.ep->fd, &r, sizeof(r));
	reg_case("reg_short_attr", s.ep->fd, &good, sizeof(good) - 8);
	big.reg = good;
	big.tail = 0;
	reg_case("reg_longer_zero_tail", s.ep->fd, &big, sizeof(big));
	big.tail = 1;
	reg_case("reg_longer_nonzero_tail", s.ep->fd, &big, sizeof(big));
	reg_case("reg_not_an_ep", s.pipe_fd, &good, sizeof(good));
	/*
	 * The MR exists when the answer cannot be written: the kernel must
	 * take it back (the test compares module references around the run).
	 */
	report("reg_resp_unwritable", reg_raw(s.ep->fd, &good, sizeof(good),
					      &(uint32_t){0}, s.ro));

	report("dereg_unknown_handle", dereg_raw(0xdead));
	/* A connection's handle: the wrong type, nothing destroyed. */
	report("dereg_conn_handle", dereg_raw(s.conn->handle));
}

static int connect_raw_to(const void *addr, size_t alen, const void *cmdp,
			  size_t clen, void *resp)
{
	struct ib_uverbs_bulk_connect_resp local;
	struct ib_uverbs_attr *h;
	struct bulk_ioctl cmd;
	int ret;

	init(&cmd, UVERBS_OBJECT_BULK_CONN, UVERBS_METHOD_BULK_CONN_CONNECT);
	h = bulk_ioctl_new(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_HANDLE);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_EP, s.ep->fd);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_ADDR, addr, alen);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_CMD, cmdp, clen);
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_CONN_CONNECT_RESP,
			   resp ?: &local, sizeof(local));
	ret = exec(&cmd);
	if (!ret) {
		struct bulk_ioctl d;

		init(&d, UVERBS_OBJECT_BULK_CONN,
		     UVERBS_METHOD_BULK_CONN_DISCONNECT);
		bulk_ioctl_obj(&d, UVERBS_ATTR_BULK_CONN_DISCONNECT_HANDLE,
			       h->data);
		if (exec(&d))
			die("disconnect", EIO);
	}
	return ret;
}

static int connect_raw(const void *addr, size_t alen, const void *cmdp,
		       size_t clen)
{
	return connect_raw_to(addr, alen, cmdp, clen, NULL);
}

static void connect_cases(const struct sockaddr_in *node)
{
	struct ib_uverbs_bulk_connect good = { .remote_ep_id = s.ep->id }, c;
	struct {
		struct ib_uverbs_bulk_connect c;
		uint64_t tail;
	} big = { .c = good, .tail = 1 };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	char huge[256] = {};

	report("connect_valid", connect_raw(node, sizeof(*node), &good,
					    sizeof(good)));
	report("connect_resp_unwritable",
	       connect_raw_to(node, sizeof(*node), &good, sizeof(good), s.ro));
	c = good;
	c.comp_mask = 1;
	report("connect_comp_mask", connect_raw(node, sizeof(*node), &c,
						sizeof(c)));
	c = good;
	c.remote_ep_id = 0;
	report("connect_ep_zero", connect_raw(node, sizeof(*node), &c,
					      sizeof(c)));
	report("connect_longer_nonzero_tail",
	       connect_raw(node, sizeof(*node), &big, sizeof(big)));
	/* IPv6: the unspecified address, a link-local one without its
	 * interface, a whole address sent short, and the node v4-mapped.
	 */
	report("connect_inet6_any", connect_raw(&in6, sizeof(in6), &good,
						sizeof(good)));
	inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
	report("connect_inet6_link_local_no_scope",
	       connect_raw(&in6, sizeof(in6), &good, sizeof(good)));
	inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
	report("connect_inet6_short",
	       connect_raw(&in6, sizeof(struct sockaddr_in), &good,
			   sizeof(good)));
	in6.sin6_addr.s6_addr32[0] = 0;
	in6.sin6_addr.s6_addr32[1] = 0;
	in6.sin6_addr.s6_addr32[2] = htonl(0xffff);
	in6.sin6_addr.s6_addr32[3] = node->sin_addr.s_addr;
	report("connect_inet6_v4mapped",
	       connect_raw(&in6, sizeof(in6), &good, sizeof(good)));
	report("connect_unix", connect_raw(&un, sizeof(un), &good,
					   sizeof(good)));
	report("connect_addr_short", connect_raw(node, 8, &good, sizeof(good)));
	memcpy(huge, node, sizeof(*node));
	report("connect_addr_huge", connect_raw(huge, sizeof(huge), &good,
						sizeof(good)));
}

static int grant_raw(uint32_t conn, uint32_t mr,
		     const struct ib_uverbs_bulk_grant *g)
{
	struct ib_uverbs_bulk_grant_resp resp;
	struct bulk_ioctl cmd;
	int ret;

	init(&cmd, UVERBS_OBJECT_BULK_CONN, UVERBS_METHOD_BULK_CONN_GRANT);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_CONN_GRANT_HANDLE, conn);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_CONN_GRANT_MR, mr);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_CONN_GRANT_CMD, g, sizeof(*g));
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_CONN_GRANT_RESP, &resp,
			   sizeof(resp));
	ret = exec(&cmd);
	if (!ret && ibv_bulk_revoke(s.conn, resp.grant_id))
		die("revoke", EIO);
	return ret;
}

static int revoke_raw(const struct ib_uverbs_bulk_revoke *r)
{
	struct bulk_ioctl cmd;

	init(&cmd, UVERBS_OBJECT_BULK_CONN, UVERBS_METHOD_BULK_CONN_REVOKE);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_CONN_REVOKE_HANDLE,
		       s.conn->handle);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_CONN_REVOKE_CMD, r, sizeof(*r));
	return exec(&cmd);
}

static void grant_cases(void)
{
	struct ib_uverbs_bulk_grant good = {
		.length = 4096, .access = IB_UVERBS_BULK_ACCESS_REMOTE_WRITE,
	}, g;
	struct ib_uverbs_bulk_revoke r = { .grant_id = 0xdead };

#define GRANT(name, conn, mr, field, value) do {			\
		g = good;						\
		g.field = value;					\
		report(name, grant_raw(conn, mr, &g));			\
	} while (0)
	GRANT("grant_valid", s.conn->handle, s.mr->handle, length, 4096);
	GRANT("grant_reserved", s.conn->handle, s.mr->handle, reserved, 1);
	GRANT("grant_comp_mask", s.conn->handle, s.mr->handle, comp_mask, 1);
	GRANT("grant_zero_length", s.conn->handle, s.mr->handle, length, 0);
	GRANT("grant_past_mr", s.conn->handle, s.mr->handle, offset, BUF_SIZE);
	GRANT("grant_wrapping", s.conn->handle, s.mr->handle, offset,
	      ~0ULL - 100);
	GRANT("grant_access_unknown", s.conn->handle, s.mr->handle, access,
	      1u << 9);
	GRANT("grant_mr_of_other_ep", s.conn->handle, s.mr2->handle, length,
	      4096);
	GRANT("grant_bad_mr", s.conn->handle, 0xdead, length, 4096);
	GRANT("grant_bad_conn", 0xdead, s.mr->handle, length, 4096);
#undef GRANT
	report("revoke_unknown", revoke_raw(&r));
	r.comp_mask = 1;
	r.grant_id = s.grant;
	report("revoke_comp_mask", revoke_raw(&r));
}

static void setup(const char *dev_name, const struct sockaddr_in *node)
{
	int fds[2];

	s.ctx = find_device(dev_name);
	if (!s.ctx)
		die(dev_name, errno);

	s.buf = mmap(NULL, 3 * BUF_SIZE + 2 * 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (s.buf == MAP_FAILED)
		die("mmap", errno);
	s.buf2 = s.buf + BUF_SIZE;
	s.ro = s.buf2 + BUF_SIZE;
	s.noaccess = s.ro + BUF_SIZE;
	if (mprotect(s.ro, BUF_SIZE, PROT_READ) ||
	    munmap(s.noaccess, 2 * 4096))
		die("mprotect", errno);
	if (pipe(fds))
		die("pipe", errno);
	s.pipe_fd = fds[0];

	s.ep = ibv_bulk_ep_open(s.ctx, NULL);
	s.ep2 = s.ep ? ibv_bulk_ep_open(s.ctx, NULL) : NULL;
	if (!s.ep2)
		die("ibv_bulk_ep_open", errno);
	s.mr = ibv_bulk_reg_mr(s.ep, s.buf, BUF_SIZE,
			       IBV_BULK_ACCESS_REMOTE_READ |
			       IBV_BULK_ACCESS_REMOTE_WRITE);
	/*
	 * MR ids count from 1 in each endpoint: ep2's first MR takes the id
	 * that s.mr has in ep, so s.mr2's id exists only in ep2.
	 */
	s.pad = s.mr ? ibv_bulk_reg_mr(s.ep2, s.buf2, 4096, 0) : NULL;
	s.mr2 = s.pad ? ibv_bulk_reg_mr(s.ep2, s.buf2, BUF_SIZE, 0) : NULL;
	if (!s.mr2)
		die("ibv_bulk_reg_mr", errno);
	s.conn = ibv_bulk_connect(s.ep, (const struct sockaddr *)node,
				  s.ep->id);
	if (!s.conn)
		die("ibv_bulk_connect", errno);
	errno = ibv_bulk_grant(s.conn, s.mr, 0, BUF_SIZE,
			       IBV_BULK_ACCESS_REMOTE_WRITE |
			       IBV_BULK_ACCESS_REMOTE_READ, &s.grant);
	if (errno)
		die("ibv_bulk_grant", errno);
}

/* An endpoint whose answer cannot be written must not stay behind. */
static void ep_cases(void)
{
	struct ib_uverbs_attr *fd;
	struct bulk_ioctl cmd;
	int ret;

	init(&cmd, UVERBS_OBJECT_BULK_EP, UVERBS_METHOD_BULK_EP_CREATE);
	fd = bulk_ioctl_new(&cmd, UVERBS_ATTR_BULK_EP_CREATE_HANDLE);
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_EP_CREATE_RESP, s.ro,
			   sizeof(struct ib_uverbs_bulk_ep_resp));
	ret = exec(&cmd);
	if (!ret)
		close(fd->data_s64);
	report("ep_create_resp_unwritable", ret);
}

int main(int argc, char **argv)
{
	struct sockaddr_in node = { .sin_family = AF_INET };
	struct ib_uverbs_bulk_op op;
	uint32_t posted;

	if (argc != 3 || inet_pton(AF_INET, argv[2], &node.sin_addr) != 1) {
		fprintf(stderr, "usage: %s DEVICE NODE_ADDR\n", argv[0]);
		return 2;
	}
	setup(argv[1], &node);
	ep_cases();
	post_cases();
	poll_cases();
	mr_cases();
	connect_cases(&node);
	grant_cases();

	/* After all that, the endpoint still serves. */
	op = good_op();
	report("post_after_all", post_raw(s.ep->fd, &op, sizeof(op), true,
					  &posted) ?: reap(1));
	/*
	 * libibbulk refuses to close an endpoint that still has MRs and
	 * connections (pyverbs never asks: it closes them first).
	 */
	report("lib_ep_close_busy", ibv_bulk_ep_close(s.ep));
	if (ibv_bulk_revoke(s.conn, s.grant) || ibv_bulk_disconnect(s.conn) ||
	    ibv_bulk_dereg_mr(s.mr) || ibv_bulk_dereg_mr(s.mr2) ||
	    ibv_bulk_dereg_mr(s.pad) ||
	    ibv_bulk_ep_close(s.ep) || ibv_bulk_ep_close(s.ep2))
		die("teardown", EIO);
	ibv_close_device(s.ctx);
	printf("done\n");
	return 0;
}
