// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Every libibbulk and librdmabulk call rejects NULL and malformed
 * arguments itself, before any ioctl: the objects below are forged with
 * cmd_fd -1, so a check that let a call through to the kernel would show
 * up as EBADF instead of the errno the man pages promise. Runs on a host
 * without RDMA.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <infiniband/bulk.h>
#include <rdma/ib_user_ioctl_bulk.h>
#include <rdma/rdma_bulk.h>
#include "../../providers/bulk/bulk_priv.h"
#include "check.h"

static int ctor_errno(const void *obj)
{
	return obj ? 0 : errno;
}

int main(void)
{
	struct ibv_device dev = { .name = "nosuchdev0" };
	struct ibv_context ctx = { .device = &dev, .cmd_fd = -1 };
	struct ibv_bulk_ep ep = { .ctx = &ctx, .fd = -1, .id = 1 };
	struct ibv_bulk_ep other = { .ctx = &ctx, .fd = -1, .id = 2 };
	struct ibv_bulk_mr mr = { .ep = &ep }, other_mr = { .ep = &other };
	struct ibv_bulk_conn conn = { .ep = &ep }, other_conn = { .ep = &other };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct ibv_bulk_op op = {
		.opcode = IBV_BULK_OP_WRITE, .conn = &conn, .mr = &mr,
		.length = 1,
	};
	struct ibv_bulk_wc wc;
	unsigned int posted;
	uint64_t grant;
	char buf[64];

	/* Constructors: NULL and errno. */
	CHECK_ERRNO(ctor_errno(ibv_bulk_reg_mr(NULL, buf, sizeof(buf), 0)), EINVAL);
	CHECK_ERRNO(ctor_errno(ibv_bulk_reg_mr(&ep, buf, 0, 0)), EINVAL);
	CHECK_ERRNO(ctor_errno(ibv_bulk_reg_mr(&ep, buf, sizeof(buf), 1u << 8)),
		    EINVAL);
	CHECK_ERRNO(ctor_errno(ibv_bulk_connect(NULL, (struct sockaddr *)&in, 1)),
		    EINVAL);
	CHECK_ERRNO(ctor_errno(ibv_bulk_connect(&ep, NULL, 1)), EINVAL);
	CHECK_ERRNO(ctor_errno(ibv_bulk_connect(&ep, (struct sockaddr *)&in, 0)),
		    EINVAL);
	CHECK_ERRNO(ctor_errno(ibv_bulk_connect(&ep, (struct sockaddr *)&un, 1)),
		    EAFNOSUPPORT);
	CHECK_ERRNO(ctor_errno(rdma_bulk_connect(NULL, "192.0.2.1", NULL, 1)),
		    EINVAL);
	CHECK_ERRNO(ctor_errno(rdma_bulk_connect(&ep, NULL, NULL, 1)), EINVAL);

	/* int calls: 0 or a positive errno. */
	CHECK_ERRNO(ibv_bulk_dereg_mr(NULL), EINVAL);
	CHECK_ERRNO(ibv_bulk_disconnect(NULL), EINVAL);
	CHECK_ERRNO(ibv_bulk_grant(NULL, &mr, 0, 1, IBV_BULK_ACCESS_REMOTE_READ,
				   &grant), EINVAL);
	CHECK_ERRNO(ibv_bulk_grant(&conn, NULL, 0, 1, IBV_BULK_ACCESS_REMOTE_READ,
				   &grant), EINVAL);
	CHECK_ERRNO(ibv_bulk_grant(&conn, &mr, 0, 1, IBV_BULK_ACCESS_REMOTE_READ,
				   NULL), EINVAL);
	/* An MR of another endpoint cannot be granted on this connection. */
	CHECK_ERRNO(ibv_bulk_grant(&conn, &other_mr, 0, 1,
				   IBV_BULK_ACCESS_REMOTE_READ, &grant), EINVAL);
	CHECK_ERRNO(ibv_bulk_revoke(NULL, 1), EINVAL);

	/* POST: the count says how many went, even when none did. */
	posted = 99;
	CHECK_ERRNO(ibv_bulk_post(NULL, &op, 1, &posted), EINVAL);
	CHECK(posted == 0);
	CHECK_ERRNO(ibv_bulk_post(&ep, NULL, 1, &posted), EINVAL);
	op.mr = NULL;
	CHECK_ERRNO(ibv_bulk_post(&ep, &op, 1, &posted), EINVAL);
	op.mr = &other_mr;
	CHECK_ERRNO(ibv_bulk_post(&ep, &op, 1, &posted), EINVAL);
	op.mr = &mr;
	op.conn = NULL;
	CHECK_ERRNO(ibv_bulk_post(&ep, &op, 1, &posted), EINVAL);
	op.conn = &other_conn;
	CHECK_ERRNO(ibv_bulk_post(&ep, &op, 1, &posted), EINVAL);
	op.opcode = IBV_BULK_OP_RECV;	/* a RECV names no connection */
	CHECK_ERRNO(ibv_bulk_post(&ep, &op, 1, &posted), EINVAL);
	CHECK(posted == 0);
	CHECK_ERRNO(ibv_bulk_post(&ep, &op, 0, &posted), 0);

	/* POLL: a count or -errno. */
	CHECK_ERRNO(ibv_bulk_poll(NULL, &wc, 1), -EINVAL);
	CHECK_ERRNO(ibv_bulk_poll(&ep, NULL, 1), -EINVAL);
	CHECK_ERRNO(ibv_bulk_poll(&ep, &wc, -1), -EINVAL);
	CHECK_ERRNO(ibv_bulk_poll(&ep, &wc, 0), 0);

	/* io_uring encoding: the same checks as POST, nothing submitted. */
	{
		unsigned char cmd[IBV_BULK_URING_CMD_SIZE];
		uint32_t cmd_op;

		op.opcode = IBV_BULK_OP_WRITE;
		op.conn = &conn;
		op.mr = &mr;
		CHECK_ERRNO(ibv_bulk_uring_cmd(NULL, &op, cmd, &cmd_op), EINVAL);
		CHECK_ERRNO(ibv_bulk_uring_cmd(&ep, NULL, cmd, &cmd_op), EINVAL);
		CHECK_ERRNO(ibv_bulk_uring_cmd(&ep, &op, NULL, &cmd_op), EINVAL);
		CHECK_ERRNO(ibv_bulk_uring_cmd(&ep, &op, cmd, NULL), EINVAL);
		op.conn = &other_conn;
		CHECK_ERRNO(ibv_bulk_uring_cmd(&ep, &op, cmd, &cmd_op), EINVAL);
		op.conn = &conn;
		CHECK_ERRNO(ibv_bulk_uring_cmd(&ep, &op, cmd, &cmd_op), 0);

		/* A registered buffer instead of an MR: WRITE and READ only. */
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, cmd, cmd, &cmd_op), EINVAL);
		op.mr = NULL;
		op.offset = 1;
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, cmd, cmd, &cmd_op), EINVAL);
		op.offset = 0;
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(NULL, &op, cmd, cmd, &cmd_op), EINVAL);
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, NULL, cmd, cmd, &cmd_op), EINVAL);
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, NULL, cmd, &cmd_op), EINVAL);
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, cmd, NULL, &cmd_op), EINVAL);
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, cmd, cmd, NULL), EINVAL);
		op.conn = &other_conn;
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, cmd, cmd, &cmd_op), EINVAL);
		op.conn = NULL;
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, cmd, cmd, &cmd_op), EINVAL);
		op.conn = &conn;
		op.opcode = IBV_BULK_OP_RECV;
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, cmd, cmd, &cmd_op), EOPNOTSUPP);
		op.opcode = IBV_BULK_OP_SEND;
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, cmd, cmd, &cmd_op), 0);
		op.opcode = IBV_BULK_OP_READ;
		CHECK_ERRNO(ibv_bulk_uring_cmd_fixed(&ep, &op, cmd, cmd, &cmd_op), 0);
		CHECK(((struct ib_uverbs_bulk_uring_cmd *)cmd)->op.offset == (uintptr_t)cmd);
		CHECK(((struct ib_uverbs_bulk_uring_cmd *)cmd)->op.mr_id == 0);
		op.opcode = IBV_BULK_OP_WRITE;
		op.mr = &mr;
	}

	/*
	 * Calls that pass their checks reach the kernel: here the forged
	 * cmd_fd answers EBADF, which proves the checks above were the
	 * library's own.
	 */
	CHECK_ERRNO(ibv_bulk_revoke(&conn, 1), EBADF);

	/*
	 * librdmabulk: a host without RDMA has no device (ENODEV); one with
	 * a device but a stock kernel has no transport (EOPNOTSUPP).
	 */
	CHECK(rdma_bulk_ep_open(NULL, NULL) == NULL);
	CHECK(errno == ENODEV || errno == EOPNOTSUPP);
	CHECK_ERRNO(ctor_errno(rdma_bulk_ep_open("not an address", NULL)),
		    EHOSTUNREACH);
	return check_done("test_api_args");
}
