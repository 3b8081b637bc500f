/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR Linux-OpenIB) */
/*
 * rdma-bulk: the kernel-owned bulk zero-copy transport, as seen through
 * RDMA_VERBS_IOCTL. The objects are core uverbs objects (their ids are in
 * ib_user_ioctl_cmds.h); the transport behind them is the ib_bulk module.
 *
 * Every structure here is extensible: comp_mask says which optional fields
 * are valid, reserved fields must be zero (EINVAL otherwise), and a newer
 * userspace may pass a longer structure as long as the bytes this kernel
 * does not know are zero (EOPNOTSUPP otherwise).
 */
#ifndef IB_USER_IOCTL_BULK_H
#define IB_USER_IOCTL_BULK_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * UVERBS_OBJECT_BULK_EP: a process's endpoint on one device. An FD object:
 * CREATE returns an anonymous file that polls readable while completions
 * are pending; closing it (or the uverbs file) destroys the endpoint.
 */
enum uverbs_methods_bulk_ep {
	UVERBS_METHOD_BULK_EP_CREATE,
	UVERBS_METHOD_BULK_EP_POST,
	UVERBS_METHOD_BULK_EP_POLL,
};

enum uverbs_attrs_bulk_ep_create_ids {
	UVERBS_ATTR_BULK_EP_CREATE_HANDLE,	/* FD, new */
	UVERBS_ATTR_BULK_EP_CREATE_ATTR,	/* struct ib_uverbs_bulk_ep_attr, optional */
	UVERBS_ATTR_BULK_EP_CREATE_RESP,	/* struct ib_uverbs_bulk_ep_resp */
};

/* Completions an endpoint holds when the caller asks for no depth. */
#define IB_UVERBS_BULK_EP_DEFAULT_CQ_DEPTH	1024
#define IB_UVERBS_BULK_EP_MAX_CQ_DEPTH		65536

struct ib_uverbs_bulk_ep_attr {
	__aligned_u64 comp_mask;	/* no optional fields yet: 0 */
	/*
	 * Completions the endpoint can hold: it accepts no operation whose
	 * completion would not fit, so none is ever dropped. 0 asks for the
	 * default; the kernel rounds up to a power of two.
	 */
	__u32 cq_depth;
	__u32 reserved;
};

struct ib_uverbs_bulk_ep_resp {
	__aligned_u64 comp_mask;
	__u32 ep_id;		/* unique on this node and device, never 0 */
	__u32 cq_depth;		/* the depth granted */
};

/*
 * UVERBS_OBJECT_BULK_MR: a range of the caller's memory, pinned (charged to
 * RLIMIT_MEMLOCK) and registered by the kernel on its own protection domain
 * of the endpoint's device. No memory key ever reaches userspace:
 * operations name the MR by the endpoint-scoped id REG returns.
 */
enum uverbs_methods_bulk_mr {
	UVERBS_METHOD_BULK_MR_REG,
	UVERBS_METHOD_BULK_MR_DEREG,
};

enum uverbs_attrs_bulk_mr_reg_ids {
	UVERBS_ATTR_BULK_MR_REG_HANDLE,		/* IDR, new */
	UVERBS_ATTR_BULK_MR_REG_EP,		/* FD of the endpoint */
	UVERBS_ATTR_BULK_MR_REG_CMD,		/* struct ib_uverbs_bulk_mr_reg */
	UVERBS_ATTR_BULK_MR_REG_RESP,		/* struct ib_uverbs_bulk_mr_resp */
};

enum uverbs_attrs_bulk_mr_dereg_ids {
	UVERBS_ATTR_BULK_MR_DEREG_HANDLE,	/* IDR, destroy */
};

/* What a peer may later be granted on the MR; local access is implied. */
enum ib_uverbs_bulk_access_flags {
	IB_UVERBS_BULK_ACCESS_REMOTE_READ = 1 << 0,
	IB_UVERBS_BULK_ACCESS_REMOTE_WRITE = 1 << 1,
};

struct ib_uverbs_bulk_mr_reg {
	__aligned_u64 comp_mask;	/* no optional fields yet: 0 */
	__aligned_u64 addr;		/* start of the range, any alignment */
	__aligned_u64 length;		/* bytes, not 0 */
	__u32 access;			/* enum ib_uverbs_bulk_access_flags */
	__u32 reserved;
};

struct ib_uverbs_bulk_mr_resp {
	__aligned_u64 comp_mask;
	__u32 mr_id;		/* names the MR in the endpoint's operations */
	__u32 reserved;
};

/*
 * UVERBS_OBJECT_BULK_CONN: an endpoint's handle on a remote endpoint. Every
 * handle to the same node shares the node's one kernel RC connection.
 */
enum uverbs_methods_bulk_conn {
	UVERBS_METHOD_BULK_CONN_CONNECT,
	UVERBS_METHOD_BULK_CONN_DISCONNECT,
	UVERBS_METHOD_BULK_CONN_GRANT,
	UVERBS_METHOD_BULK_CONN_REVOKE,
};

enum uverbs_attrs_bulk_conn_connect_ids {
	UVERBS_ATTR_BULK_CONN_CONNECT_HANDLE,	/* IDR, new */
	UVERBS_ATTR_BULK_CONN_CONNECT_EP,	/* FD of the endpoint */
	UVERBS_ATTR_BULK_CONN_CONNECT_ADDR,	/* struct sockaddr_in or _in6 */
	UVERBS_ATTR_BULK_CONN_CONNECT_CMD,	/* struct ib_uverbs_bulk_connect */
	UVERBS_ATTR_BULK_CONN_CONNECT_RESP,	/* struct ib_uverbs_bulk_connect_resp */
};

enum uverbs_attrs_bulk_conn_disconnect_ids {
	UVERBS_ATTR_BULK_CONN_DISCONNECT_HANDLE,	/* IDR, destroy */
};

enum uverbs_attrs_bulk_conn_grant_ids {
	UVERBS_ATTR_BULK_CONN_GRANT_HANDLE,	/* IDR of the connection */
	UVERBS_ATTR_BULK_CONN_GRANT_MR,		/* IDR of the MR */
	UVERBS_ATTR_BULK_CONN_GRANT_CMD,	/* struct ib_uverbs_bulk_grant */
	UVERBS_ATTR_BULK_CONN_GRANT_RESP,	/* struct ib_uverbs_bulk_grant_resp */
};

enum uverbs_attrs_bulk_conn_revoke_ids {
	UVERBS_ATTR_BULK_CONN_REVOKE_HANDLE,	/* IDR of the connection */
	UVERBS_ATTR_BULK_CONN_REVOKE_CMD,	/* struct ib_uverbs_bulk_revoke */
};

/* How long CONNECT waits for the node when the caller gives 0. */
#define IB_UVERBS_BULK_CONNECT_DEFAULT_TIMEOUT_MS	10000

struct ib_uverbs_bulk_connect {
	__aligned_u64 comp_mask;	/* no optional fields yet: 0 */
	__u32 remote_ep_id;		/* the endpoint on the remote node */
	__u32 timeout_ms;		/* 0: the default */
};

struct ib_uverbs_bulk_connect_resp {
	__aligned_u64 comp_mask;
	__u32 conn_id;		/* names the connection in operations */
	__u32 reserved;
};

struct ib_uverbs_bulk_grant {
	__aligned_u64 comp_mask;	/* no optional fields yet: 0 */
	__aligned_u64 offset;		/* into the MR */
	__aligned_u64 length;		/* bytes, not 0 */
	__u32 access;			/* enum ib_uverbs_bulk_access_flags */
	__u32 reserved;
};

struct ib_uverbs_bulk_grant_resp {
	__aligned_u64 comp_mask;
	__aligned_u64 grant_id;	/* what the peer names the range by */
};

struct ib_uverbs_bulk_revoke {
	__aligned_u64 comp_mask;	/* no optional fields yet: 0 */
	__aligned_u64 grant_id;
};

/*
 * POST takes an array of operations and POLL fills an array of completions;
 * the attribute length gives the count (at most 1023 operations and 2047
 * completions per call: attribute lengths are 16 bits).
 */
enum uverbs_attrs_bulk_ep_post_ids {
	UVERBS_ATTR_BULK_EP_POST_HANDLE,	/* FD of the endpoint */
	UVERBS_ATTR_BULK_EP_POST_OPS,		/* struct ib_uverbs_bulk_op[] */
	UVERBS_ATTR_BULK_EP_POST_NUM_POSTED,	/* __u32 */
};

enum uverbs_attrs_bulk_ep_poll_ids {
	UVERBS_ATTR_BULK_EP_POLL_HANDLE,	/* FD of the endpoint */
	UVERBS_ATTR_BULK_EP_POLL_WC,		/* struct ib_uverbs_bulk_wc[] */
	UVERBS_ATTR_BULK_EP_POLL_NUM,		/* __u32 */
};

enum ib_uverbs_bulk_opcode {
	IB_UVERBS_BULK_OP_WRITE,
	IB_UVERBS_BULK_OP_READ,
	IB_UVERBS_BULK_OP_SEND,
	IB_UVERBS_BULK_OP_RECV,
	/* Completion opcodes of incoming events. */
	IB_UVERBS_BULK_WC_RECV = IB_UVERBS_BULK_OP_RECV,
	IB_UVERBS_BULK_WC_IMM = 16,
};

enum ib_uverbs_bulk_op_flags {
	/* WRITE: deliver imm to the target endpoint after the data. */
	IB_UVERBS_BULK_OP_F_IMM = 1 << 0,
};

struct ib_uverbs_bulk_op {
	__aligned_u64 wr_id;
	__u32 opcode;		/* enum ib_uverbs_bulk_opcode */
	__u32 flags;		/* enum ib_uverbs_bulk_op_flags */
	__u32 conn_id;		/* not used by RECV */
	__u32 mr_id;
	__aligned_u64 offset;	/* local range inside the MR */
	__aligned_u64 length;
	__aligned_u64 remote_grant;	/* WRITE and READ */
	__aligned_u64 remote_offset;	/* into the granted range */
	__u32 imm;
	__u32 reserved;
};

struct ib_uverbs_bulk_wc {
	__aligned_u64 wr_id;	/* 0 for incoming immediates */
	__u32 opcode;		/* enum ib_uverbs_bulk_opcode */
	__u32 status;		/* 0 or a positive errno */
	__aligned_u64 byte_len;
	__u32 imm;
	__u32 src_ep;		/* RECV and IMM: the sending endpoint */
};

/*
 * io_uring: IORING_OP_URING_CMD on the endpoint's file posts one
 * operation, on a ring set up with IORING_SETUP_SQE128 and
 * IORING_SETUP_CQE32 (EINVAL otherwise). The SQE's cmd_op is
 * IB_UVERBS_BULK_URING_POST and its command area holds struct
 * ib_uverbs_bulk_uring_cmd, read once. The operation completes as the
 * SQE's CQE, never through POLL: res is the bytes moved or -errno (the
 * op's length must be below 2 GiB: res is 32 bits), big_cqe[0] is
 * src_ep << 32 | opcode and big_cqe[1] is 0. WRITE, READ and SEND only:
 * a RECV waits for a sender without bound and a queued uring_cmd cannot
 * be cancelled, so RECVs go through POST (EOPNOTSUPP here).
 */
struct ib_uverbs_bulk_uring_cmd {
	struct ib_uverbs_bulk_op op;	/* wr_id 0: the SQE's user_data */
	__aligned_u64 reserved[2];
};

#define IB_UVERBS_BULK_URING_POST \
	_IOWR('b', 0x01, struct ib_uverbs_bulk_uring_cmd)

#endif /* IB_USER_IOCTL_BULK_H */
