// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Posting operations and polling completions through RDMA_VERBS_IOCTL.
 * The kernel takes operations and hands back completions in arrays whose
 * attribute length (16 bits) bounds one call; larger requests are split.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <rdma/ib_user_ioctl_bulk.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include "bulk_priv.h"
#include "cmd_ioctl.h"

#define POST_BATCH (UINT16_MAX / sizeof(struct ib_uverbs_bulk_op))
#define POLL_BATCH (UINT16_MAX / sizeof(struct ib_uverbs_bulk_wc))

/* Completions go straight from the kernel into the caller's array. */
_Static_assert(sizeof(struct ibv_bulk_wc) == sizeof(struct ib_uverbs_bulk_wc),
	       "ibv_bulk_wc mirrors ib_uverbs_bulk_wc");
_Static_assert(offsetof(struct ibv_bulk_wc, byte_len) ==
	       offsetof(struct ib_uverbs_bulk_wc, byte_len),
	       "ibv_bulk_wc mirrors ib_uverbs_bulk_wc");
_Static_assert(offsetof(struct ibv_bulk_wc, src_ep) ==
	       offsetof(struct ib_uverbs_bulk_wc, src_ep),
	       "ibv_bulk_wc mirrors ib_uverbs_bulk_wc");

static int to_kernel_op(struct ibv_bulk_ep *ep, const struct ibv_bulk_op *op,
			struct ib_uverbs_bulk_op *kop)
{
	if (!op->mr || op->mr->ep != ep)
		return EINVAL;
	if (op->opcode == IBV_BULK_OP_RECV ? op->conn != NULL :
	    !op->conn || op->conn->ep != ep)
		return EINVAL;
	memset(kop, 0, sizeof(*kop));
	kop->wr_id = op->wr_id;
	kop->opcode = op->opcode;
	kop->flags = op->flags;
	kop->conn_id = op->conn ? op->conn->id : 0;
	kop->mr_id = op->mr->id;
	kop->offset = op->offset;
	kop->length = op->length;
	kop->remote_grant = op->remote_grant;
	kop->remote_offset = op->remote_offset;
	kop->imm = op->imm;
	return 0;
}

EXPORT int ibv_bulk_post(struct ibv_bulk_ep *ep, const struct ibv_bulk_op *ops,
			 unsigned int num, unsigned int *num_posted)
{
	struct ib_uverbs_bulk_op kops[64];
	unsigned int done = 0;
	int ret = 0;

	if (num_posted)
		*num_posted = 0;
	if (!ep || (num && !ops))
		return EINVAL;

	while (done < num) {
		uint32_t posted = 0;
		struct bulk_ioctl cmd;
		unsigned int n = 0;
		int bad = 0;

		/* Marshal up to a stack array's worth; stop at a bad op. */
		while (n < sizeof(kops) / sizeof(kops[0]) && n < POST_BATCH &&
		       done + n < num) {
			bad = to_kernel_op(ep, &ops[done + n], &kops[n]);
			if (bad)
				break;
			n++;
		}
		if (n) {
			bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_EP,
					UVERBS_METHOD_BULK_EP_POST,
					ep->driver_id);
			bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_EP_POST_HANDLE,
				       ep->fd);
			bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_EP_POST_OPS,
					  kops, n * sizeof(kops[0]));
			bulk_ioctl_ptr_out(&cmd,
					   UVERBS_ATTR_BULK_EP_POST_NUM_POSTED,
					   &posted, sizeof(posted));
			ret = bulk_ioctl_exec(ep->ctx->cmd_fd, &cmd);
			/* The kernel reports its count even on a refusal. */
			done += posted > n ? n : posted;
			if (ret)
				break;
		}
		if (bad) {
			ret = bad;
			break;
		}
	}
	if (num_posted)
		*num_posted = done;
	return ret;
}

EXPORT int ibv_bulk_poll(struct ibv_bulk_ep *ep, struct ibv_bulk_wc *wc,
			 int num)
{
	struct bulk_ioctl cmd;
	uint32_t n = 0;
	int ret;

	if (!ep || num < 0 || (num && !wc))
		return -EINVAL;
	if (!num)
		return 0;
	if ((unsigned int)num > POLL_BATCH)
		num = POLL_BATCH;
	bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_EP, UVERBS_METHOD_BULK_EP_POLL,
			ep->driver_id);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_EP_POLL_HANDLE, ep->fd);
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_EP_POLL_WC, wc,
			   num * sizeof(*wc));
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_EP_POLL_NUM, &n, sizeof(n));
	ret = bulk_ioctl_exec(ep->ctx->cmd_fd, &cmd);
	if (ret)
		return -ret;
	return n;
}

_Static_assert(sizeof(struct ib_uverbs_bulk_uring_cmd) <= IBV_BULK_URING_CMD_SIZE,
	       "the uring command fits a 128-byte SQE");

/* The command area of one io_uring operation, once @kop is filled. */
static void to_uring_cmd(struct ib_uverbs_bulk_uring_cmd *c,
			 const struct ib_uverbs_bulk_op *kop, uint32_t *cmd_op)
{
	memset(c, 0, IBV_BULK_URING_CMD_SIZE);
	c->op = *kop;
	/* The CQE carries the SQE's user_data instead. */
	c->op.wr_id = 0;
	*cmd_op = IB_UVERBS_BULK_URING_POST;
}

EXPORT int ibv_bulk_uring_cmd(struct ibv_bulk_ep *ep, const struct ibv_bulk_op *op,
			      void *cmd, uint32_t *cmd_op)
{
	struct ib_uverbs_bulk_op kop;
	int ret;

	if (!ep || !op || !cmd || !cmd_op)
		return EINVAL;
	ret = to_kernel_op(ep, op, &kop);
	if (ret)
		return ret;
	to_uring_cmd(cmd, &kop, cmd_op);
	return 0;
}

EXPORT int ibv_bulk_uring_cmd_fixed(struct ibv_bulk_ep *ep,
				    const struct ibv_bulk_op *op,
				    const void *buf, void *cmd, uint32_t *cmd_op)
{
	struct ib_uverbs_bulk_op kop = {};

	if (!ep || !op || !buf || !cmd || !cmd_op)
		return EINVAL;
	/* A RECV gives its sender a key: it needs an MR (ibv_bulk_prep_op(3)). */
	if (op->opcode == IBV_BULK_OP_RECV)
		return EOPNOTSUPP;
	if (op->mr || op->offset || !op->conn || op->conn->ep != ep)
		return EINVAL;
	kop.opcode = op->opcode;
	kop.flags = op->flags;
	kop.conn_id = op->conn->id;
	/* With IORING_URING_CMD_FIXED the offset is the buffer's address. */
	kop.offset = (uintptr_t)buf;
	kop.length = op->length;
	kop.remote_grant = op->remote_grant;
	kop.remote_offset = op->remote_offset;
	kop.imm = op->imm;
	to_uring_cmd(cmd, &kop, cmd_op);
	return 0;
}
