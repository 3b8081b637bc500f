/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * libibbulk: verbs-style access to the kernel's bulk zero-copy transport.
 *
 * The kernel owns the QPs, MRs, CQs and the connections; a process opens an
 * endpoint on an ibv_context and moves data through it. Functions returning
 * int return 0 or a positive errno value; constructors return NULL and set
 * errno. On a kernel without the transport they fail with EOPNOTSUPP.
 */
#ifndef INFINIBAND_BULK_H
#define INFINIBAND_BULK_H

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/io_uring.h>
#include <infiniband/verbs.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ibv_bulk_ep;
struct ibv_bulk_mr;
struct ibv_bulk_conn;

enum ibv_bulk_ep_init_attr_mask {
	IBV_BULK_EP_INIT_ATTR_CQ_DEPTH = 1 << 0,
};

struct ibv_bulk_ep_init_attr {
	uint64_t comp_mask;	/* enum ibv_bulk_ep_init_attr_mask */
	uint32_t cq_depth;	/* completions the endpoint holds */
};

struct ibv_bulk_ep *ibv_bulk_ep_open(struct ibv_context *ctx,
				     const struct ibv_bulk_ep_init_attr *attr);
int ibv_bulk_ep_close(struct ibv_bulk_ep *ep);
uint32_t ibv_bulk_ep_id(const struct ibv_bulk_ep *ep);
int ibv_bulk_ep_fd(const struct ibv_bulk_ep *ep);
uint32_t ibv_bulk_ep_cq_depth(const struct ibv_bulk_ep *ep);

/* What a peer may be granted on an MR; local access is always allowed. */
enum ibv_bulk_access_flags {
	IBV_BULK_ACCESS_REMOTE_READ = 1 << 0,
	IBV_BULK_ACCESS_REMOTE_WRITE = 1 << 1,
};

struct ibv_bulk_mr *ibv_bulk_reg_mr(struct ibv_bulk_ep *ep, void *addr,
				    size_t length, unsigned int access);
int ibv_bulk_dereg_mr(struct ibv_bulk_mr *mr);

/*
 * A handle on endpoint @remote_ep_id of the node at @node (a struct
 * sockaddr_in or sockaddr_in6; port 0 means the transport's default; an
 * IPv6 link-local address needs its sin6_scope_id). Every handle to a node
 * shares the one RC connection the kernel keeps to it; an IPv4-mapped IPv6
 * address is the IPv4 node.
 */
struct ibv_bulk_conn *ibv_bulk_connect(struct ibv_bulk_ep *ep,
				       const struct sockaddr *node,
				       uint32_t remote_ep_id);
int ibv_bulk_disconnect(struct ibv_bulk_conn *conn);

/* Let the connection's remote endpoint access [offset, offset + length). */
int ibv_bulk_grant(struct ibv_bulk_conn *conn, struct ibv_bulk_mr *mr,
		   uint64_t offset, uint64_t length, unsigned int access,
		   uint64_t *grant_id);
int ibv_bulk_revoke(struct ibv_bulk_conn *conn, uint64_t grant_id);

enum ibv_bulk_opcode {
	IBV_BULK_OP_WRITE,
	IBV_BULK_OP_READ,
	IBV_BULK_OP_SEND,
	IBV_BULK_OP_RECV,
};

/* Opcodes of completions for incoming events. */
enum ibv_bulk_wc_opcode {
	IBV_BULK_WC_RECV = IBV_BULK_OP_RECV,
	IBV_BULK_WC_IMM = 16,
};

enum ibv_bulk_op_flags {
	IBV_BULK_OP_F_IMM = 1 << 0,	/* WRITE: deliver imm after the data */
};

struct ibv_bulk_op {
	uint64_t wr_id;
	uint32_t opcode;		/* enum ibv_bulk_opcode */
	uint32_t flags;			/* enum ibv_bulk_op_flags */
	struct ibv_bulk_conn *conn;	/* NULL for RECV */
	struct ibv_bulk_mr *mr;
	uint64_t offset, length;	/* local range inside mr */
	uint64_t remote_grant, remote_offset;	/* WRITE and READ */
	uint32_t imm;
};

int ibv_bulk_post(struct ibv_bulk_ep *ep, const struct ibv_bulk_op *ops,
		  unsigned int num, unsigned int *num_posted);

struct ibv_bulk_wc {
	uint64_t wr_id;
	uint32_t opcode;	/* the op's, or IBV_BULK_WC_RECV / _IMM */
	int32_t status;		/* 0 or a positive errno */
	uint64_t byte_len;
	uint32_t imm;
	uint32_t src_ep;	/* incoming: the sending endpoint */
};

/* Up to @num completions into @wc: their count, or a negative errno. */
int ibv_bulk_poll(struct ibv_bulk_ep *ep, struct ibv_bulk_wc *wc, int num);

/*
 * io_uring: one WRITE, READ or SEND (Linux 6.12: or RECV) per
 * IORING_OP_URING_CMD on the endpoint's file, completed as that SQE's CQE.
 * The ring must be set up with IBV_BULK_URING_SETUP_FLAGS (128-byte SQEs,
 * 32-byte CQEs).
 */
#define IBV_BULK_URING_SETUP_FLAGS (IORING_SETUP_SQE128 | IORING_SETUP_CQE32)
#define IBV_BULK_URING_CMD_SIZE 80	/* the command area of a 128-byte SQE */

/* Encode @op into an SQE's command area: 0 or a positive errno. */
int ibv_bulk_uring_cmd(struct ibv_bulk_ep *ep, const struct ibv_bulk_op *op,
		       void *cmd, uint32_t *cmd_op);

/*
 * The same for a WRITE, READ or SEND whose local side is op->length bytes
 * at @buf, inside a buffer registered with io_uring_register_buffers(): no
 * bulk MR (op->mr NULL, op->offset 0).
 */
int ibv_bulk_uring_cmd_fixed(struct ibv_bulk_ep *ep,
			     const struct ibv_bulk_op *op, const void *buf,
			     void *cmd, uint32_t *cmd_op);

/*
 * Prepare @sqe (128 bytes) to post @op on @ep; the CQE's user_data is
 * op->wr_id. Returns 0 or a positive errno (the SQE is then unusable).
 */
static inline int ibv_bulk_prep_op(struct io_uring_sqe *sqe,
				   struct ibv_bulk_ep *ep,
				   const struct ibv_bulk_op *op)
{
	uint32_t cmd_op;
	int ret;

	memset(sqe, 0, 2 * sizeof(*sqe));
	ret = ibv_bulk_uring_cmd(ep, op, sqe->cmd, &cmd_op);
	if (ret)
		return ret;
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = ibv_bulk_ep_fd(ep);
	sqe->cmd_op = cmd_op;
	sqe->user_data = op->wr_id;
	return 0;
}

/*
 * Prepare @sqe to post @op with its local side at @buf in the ring's
 * registered buffer @buf_index (see ibv_bulk_uring_cmd_fixed()).
 */
static inline int ibv_bulk_prep_op_fixed(struct io_uring_sqe *sqe,
					 struct ibv_bulk_ep *ep,
					 const struct ibv_bulk_op *op,
					 const void *buf, uint16_t buf_index)
{
	uint32_t cmd_op;
	int ret;

	memset(sqe, 0, 2 * sizeof(*sqe));
	ret = ibv_bulk_uring_cmd_fixed(ep, op, buf, sqe->cmd, &cmd_op);
	if (ret)
		return ret;
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = ibv_bulk_ep_fd(ep);
	sqe->cmd_op = cmd_op;
	sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
	sqe->buf_index = buf_index;
	sqe->user_data = op->wr_id;
	return 0;
}

/* The completion a CQE (32 bytes) of ibv_bulk_prep_op() reports. */
static inline void ibv_bulk_cqe_to_wc(const struct io_uring_cqe *cqe,
				      struct ibv_bulk_wc *wc)
{
	wc->wr_id = cqe->user_data;
	wc->opcode = (uint32_t)cqe->big_cqe[0];
	wc->status = cqe->res < 0 ? -cqe->res : 0;
	wc->byte_len = cqe->res < 0 ? 0 : (uint64_t)cqe->res;
	wc->imm = 0;
	wc->src_ep = (uint32_t)(cqe->big_cqe[0] >> 32);
}

#ifdef __cplusplus
}
#endif

#endif /* INFINIBAND_BULK_H */
