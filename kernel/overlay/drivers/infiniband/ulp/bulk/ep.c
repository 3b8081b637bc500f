// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk endpoints: creation, node-unique ids and destruction.
 *
 * An endpoint's memory outlives its uobject while MRs registered for it
 * remain (the process may close the endpoint's file first): its id goes
 * with the uobject, its device state (the PD the MRs live in) with the last
 * reference.
 */

#include <linux/log2.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "bulk.h"

/*
 * Every endpoint on the node, by id. Ids are handed out cyclically so that
 * a peer holding a stale id of a closed endpoint does not reach the next
 * endpoint created.
 */
static DEFINE_XARRAY_ALLOC1(bulk_eps);
static u32 bulk_ep_next_id;

struct ib_bulk_ep *bulk_ep_create(struct ib_device *device,
				  const struct ib_uverbs_bulk_ep_attr *attr,
				  wait_queue_head_t *wq)
{
	u32 depth = attr->cq_depth ?: IB_UVERBS_BULK_EP_DEFAULT_CQ_DEPTH;
	struct ib_bulk_ep *ep;
	int ret;

	if (depth > IB_UVERBS_BULK_EP_MAX_CQ_DEPTH)
		return ERR_PTR(-EINVAL);

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return ERR_PTR(-ENOMEM);
	kref_init(&ep->ref);
	xa_init_flags(&ep->mrs, XA_FLAGS_ALLOC1);
	ep->wq = wq;
	ep->cq_depth = roundup_pow_of_two(depth);
	ep->dev = bulk_dev_get(device);
	if (!ep->dev) {
		/* Not a device ib_bulk serves, or one being removed. */
		ret = -EOPNOTSUPP;
		goto err_free;
	}

	ret = xa_alloc_cyclic(&bulk_eps, &ep->id, ep, xa_limit_32b,
			      &bulk_ep_next_id, GFP_KERNEL);
	if (ret < 0)
		goto err_dev;
	return ep;

err_dev:
	bulk_dev_put(ep->dev);
err_free:
	kfree(ep);
	return ERR_PTR(ret);
}

static void bulk_ep_release(struct kref *ref)
{
	struct ib_bulk_ep *ep = container_of(ref, struct ib_bulk_ep, ref);

	WARN_ON(!xa_empty(&ep->mrs));
	xa_destroy(&ep->mrs);
	bulk_dev_put(ep->dev);
	kfree(ep);
}

void bulk_ep_get(struct ib_bulk_ep *ep)
{
	kref_get(&ep->ref);
}

void bulk_ep_put(struct ib_bulk_ep *ep)
{
	kref_put(&ep->ref, bulk_ep_release);
}

void bulk_ep_destroy(struct ib_bulk_ep *ep, enum rdma_remove_reason why)
{
	xa_erase(&bulk_eps, ep->id);
	bulk_ep_put(ep);
}

void bulk_ep_query(struct ib_bulk_ep *ep, struct ib_uverbs_bulk_ep_resp *resp)
{
	resp->ep_id = ep->id;
	resp->cq_depth = ep->cq_depth;
}

__poll_t bulk_ep_poll_mask(struct ib_bulk_ep *ep)
{
	/* No operation can be posted yet, so no completion is ever pending. */
	return 0;
}
