/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * What the bulk transport's uverbs objects share inside ib_uverbs.
 */
#ifndef _UVERBS_BULK_H
#define _UVERBS_BULK_H

#include <linux/rwsem.h>
#include <linux/wait.h>
#include <rdma/ib_bulk.h>
#include <rdma/uverbs_ioctl.h>
#include <rdma/uverbs_types.h>

/*
 * The endpoint's uobject. Its memory lives as long as the file, longer than
 * the endpoint: the wait queue stays valid for epoll until the last fput,
 * and ep is NULL once the endpoint is destroyed (file closed, uverbs file
 * closed or device removed), which @lock orders against its users.
 */
struct ib_bulk_ep_uobj {
	struct ib_uobject uobj;
	struct rw_semaphore lock;
	wait_queue_head_t wq;
	const struct ib_bulk_ops *ops;
	struct ib_bulk_ep *ep;
};

static inline struct ib_bulk_ep_uobj *to_bulk_ep_uobj(struct ib_uobject *uobj)
{
	return container_of(uobj, struct ib_bulk_ep_uobj, uobj);
}

const struct ib_bulk_ops *uverbs_bulk_ops_get(void);
int uverbs_bulk_ep_lock_pin(struct ib_bulk_ep_uobj *uep);

struct io_uring_cmd;
int uverbs_bulk_ep_uring_cmd(struct io_uring_cmd *ucmd,
			     unsigned int issue_flags);

/*
 * The MR's uobject. It holds its own reference on the transport's module:
 * it may outlive the endpoint it was registered for.
 */
struct ib_bulk_mr_uobj {
	/* First: uverbs allocates the whole, so a registration allocates once. */
	struct ib_uobject uobj;
	const struct ib_bulk_ops *ops;
	struct ib_bulk_mr *mr;
};

extern const struct uapi_definition uverbs_def_obj_bulk_mr[];
extern const struct uapi_definition uverbs_def_obj_bulk_conn[];

#endif /* _UVERBS_BULK_H */
