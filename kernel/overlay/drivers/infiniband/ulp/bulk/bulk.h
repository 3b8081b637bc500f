/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * ib_bulk: internal interfaces of the bulk transport module.
 */
#ifndef _IB_BULK_H
#define _IB_BULK_H

#include <linux/kref.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <rdma/ib_bulk.h>

/**
 * struct bulk_dev - ib_bulk's state for one RDMA device
 * @ref: one for the device's presence, one per endpoint using it
 * @ibdev: the device
 * @pd: the kernel PD every MR of the device is registered on
 */
struct bulk_dev {
	struct kref ref;
	struct ib_device *ibdev;
	struct ib_pd *pd;
};

/**
 * struct ib_bulk_ep - a process's endpoint on one device
 * @ref: one for the endpoint's uobject, one per MR registered for it
 * @id: node-unique address of the endpoint, never 0
 * @dev: the device state, referenced while the endpoint exists
 * @wq: the endpoint file's wait queue, woken when completions arrive
 * @cq_depth: completions the endpoint can hold
 * @mrs: the endpoint's MRs by the id that operations name them with
 */
struct ib_bulk_ep {
	struct kref ref;
	u32 id;
	struct bulk_dev *dev;
	wait_queue_head_t *wq;
	u32 cq_depth;
	struct xarray mrs;
};

/**
 * struct ib_bulk_mr - registered user memory
 * @id: the MR's id within its endpoint
 * @ep: the endpoint, referenced (the MR may outlive its uobject)
 * @ibmr: the registration on the device's kernel PD
 * @addr: start of the range in the owner's address space
 * @length: bytes in the range
 * @access: enum ib_uverbs_bulk_access_flags granted at registration
 */
struct ib_bulk_mr {
	u32 id;
	struct ib_bulk_ep *ep;
	struct ib_mr *ibmr;
	u64 addr;
	u64 length;
	u32 access;
};

struct bulk_dev *bulk_dev_get(struct ib_device *ibdev);
void bulk_dev_put(struct bulk_dev *dev);
int bulk_dev_init(void);
void bulk_dev_exit(void);

struct ib_bulk_ep *bulk_ep_create(struct ib_device *device,
				  const struct ib_uverbs_bulk_ep_attr *attr,
				  wait_queue_head_t *wq);
void bulk_ep_destroy(struct ib_bulk_ep *ep, enum rdma_remove_reason why);
void bulk_ep_query(struct ib_bulk_ep *ep, struct ib_uverbs_bulk_ep_resp *resp);
__poll_t bulk_ep_poll_mask(struct ib_bulk_ep *ep);
void bulk_ep_get(struct ib_bulk_ep *ep);
void bulk_ep_put(struct ib_bulk_ep *ep);

struct ib_bulk_mr *bulk_mr_reg(struct ib_bulk_ep *ep,
			       const struct ib_uverbs_bulk_mr_reg *cmd,
			       struct ib_uverbs_bulk_mr_resp *resp);
void bulk_mr_dereg(struct ib_bulk_mr *mr, enum rdma_remove_reason why);

#endif /* _IB_BULK_H */
