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

/*
 * UVERBS_OBJECT_BULK_EP: a process's endpoint on one device. An FD object:
 * CREATE returns an anonymous file that polls readable while completions
 * are pending; closing it (or the uverbs file) destroys the endpoint.
 */
enum uverbs_methods_bulk_ep {
	UVERBS_METHOD_BULK_EP_CREATE,
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

#endif /* IB_USER_IOCTL_BULK_H */
