/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * ib_bulk: internal interfaces of the bulk transport module.
 */
#ifndef _IB_BULK_H
#define _IB_BULK_H

#include <linux/types.h>
#include <linux/wait.h>
#include <rdma/ib_bulk.h>

/**
 * struct ib_bulk_ep - a process's endpoint on one device
 * @id: node-unique address of the endpoint, never 0
 * @device: the RDMA device the endpoint was created on
 * @wq: the endpoint file's wait queue, woken when completions arrive
 * @cq_depth: completions the endpoint can hold
 */
struct ib_bulk_ep {
	u32 id;
	struct ib_device *device;
	wait_queue_head_t *wq;
	u32 cq_depth;
};

struct ib_bulk_ep *bulk_ep_create(struct ib_device *device,
				  const struct ib_uverbs_bulk_ep_attr *attr,
				  wait_queue_head_t *wq);
void bulk_ep_destroy(struct ib_bulk_ep *ep, enum rdma_remove_reason why);
void bulk_ep_query(struct ib_bulk_ep *ep, struct ib_uverbs_bulk_ep_resp *resp);
__poll_t bulk_ep_poll_mask(struct ib_bulk_ep *ep);

#endif /* _IB_BULK_H */
