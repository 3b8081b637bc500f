// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk endpoints: creation, node-unique ids and destruction.
 *
 * An endpoint's memory outlives its uobject while MRs and connection
 * handles of it remain (the process may close the endpoint's file first):
 * its id and its completions go with the uobject, its device state (the
 * PD the MRs live in) with the last reference.
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

/* How long a closing endpoint waits for its operations before it drops
 * the connections they are stuck on.
 */
#define BULK_EP_DRAIN_TIMEOUT	(10 * HZ)

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
	spin_lock_init(&ep->lock);
	INIT_LIST_HEAD(&ep->recvs);
	INIT_LIST_HEAD(&ep->ops);
	xa_init_flags(&ep->mrs, XA_FLAGS_ALLOC1);
	xa_init_flags(&ep->conns, XA_FLAGS_ALLOC1);
	xa_init(&ep->grants);
	bulk_mr_cache_init(ep);
	ep->wq = wq;
	ret = bulk_cq_init(&ep->cq, roundup_pow_of_two(depth));
	if (ret)
		goto err_free;
	ep->dev = bulk_dev_get(device);
	if (!ep->dev) {
		/* Being removed (or ib_bulk could not set it up). */
		ret = -ENODEV;
		goto err_cq;
	}

	ret = xa_alloc_cyclic(&bulk_eps, &ep->id, ep, xa_limit_32b,
			      &bulk_ep_next_id, GFP_KERNEL);
	if (ret < 0)
		goto err_dev;
	return ep;

err_dev:
	bulk_dev_put(ep->dev);
err_cq:
	bulk_cq_free(&ep->cq);
err_free:
	kfree(ep);
	return ERR_PTR(ret);
}

static void bulk_ep_release(struct kref *ref)
{
	struct ib_bulk_ep *ep = container_of(ref, struct ib_bulk_ep, ref);

	WARN_ON(!xa_empty(&ep->mrs) || !xa_empty(&ep->conns) ||
		!xa_empty(&ep->grants));
	xa_destroy(&ep->mrs);
	xa_destroy(&ep->conns);
	xa_destroy(&ep->grants);
	bulk_cq_free(&ep->cq);
	bulk_dev_put(ep->dev);
	kfree_rcu(ep, rcu);
}

void bulk_ep_get(struct ib_bulk_ep *ep)
{
	kref_get(&ep->ref);
}

void bulk_ep_put(struct ib_bulk_ep *ep)
{
	kref_put(&ep->ref, bulk_ep_release);
}

/* The live endpoint with @id, referenced, or NULL. */
struct ib_bulk_ep *bulk_ep_lookup(u32 id)
{
	struct ib_bulk_ep *ep;

	rcu_read_lock();
	ep = xa_load(&bulk_eps, id);
	if (ep && !kref_get_unless_zero(&ep->ref))
		ep = NULL;
	rcu_read_unlock();
	return ep;
}

/* Drop the connections that operations of @ep wait on without answer. */
static void bulk_ep_kill_stuck(struct ib_bulk_ep *ep)
{
	struct bulk_peer *peers[8];
	struct bulk_op *op;
	int n, i;

	do {
		n = 0;
		spin_lock(&ep->lock);
		list_for_each_entry(op, &ep->ops, ep_list) {
			if (!op->peer || op->peer->state == BULK_PEER_DEAD)
				continue;
			bulk_peer_get(op->peer);
			peers[n++] = op->peer;
			if (n == ARRAY_SIZE(peers))
				break;
		}
		spin_unlock(&ep->lock);
		for (i = 0; i < n; i++) {
			bulk_peer_kill(peers[i], -ETIMEDOUT);
			bulk_peer_put(peers[i]);
		}
	} while (n == ARRAY_SIZE(peers));
}

void bulk_ep_destroy(struct ib_bulk_ep *ep, enum rdma_remove_reason why)
{
	/* No incoming SEND or immediate finds the endpoint any more. */
	xa_erase(&bulk_eps, ep->id);
	spin_lock(&ep->lock);
	ep->dead = true;
	spin_unlock(&ep->lock);
	bulk_ep_cancel_recvs(ep, NULL);
	/* No new MR comes: what the cache keeps is of no more use. */
	bulk_mr_cache_flush(ep, true);

	/*
	 * Operations in flight use the process's MRs and report to this
	 * endpoint: wait for them. A node that never answers is cut off,
	 * which fails what waits on it.
	 */
	if (!wait_var_event_timeout(&ep->ops_inflight,
				    !atomic_read(&ep->ops_inflight),
				    BULK_EP_DRAIN_TIMEOUT))
		bulk_ep_kill_stuck(ep);
	wait_var_event(&ep->ops_inflight, !atomic_read(&ep->ops_inflight));
	bulk_ep_put(ep);
}

/* The device is going: no RECV posted on it can be matched any more. */
void bulk_ep_cancel_dev_recvs(struct bulk_dev *dev)
{
	struct ib_bulk_ep *ep;
	unsigned long index;

	rcu_read_lock();
	xa_for_each(&bulk_eps, index, ep) {
		if (ep->dev != dev || !kref_get_unless_zero(&ep->ref))
			continue;
		rcu_read_unlock();
		bulk_ep_cancel_recvs(ep, NULL);
		bulk_mr_cache_flush(ep, false);
		bulk_ep_put(ep);
		rcu_read_lock();
	}
	rcu_read_unlock();
}

void bulk_ep_query(struct ib_bulk_ep *ep, struct ib_uverbs_bulk_ep_resp *resp)
{
	resp->ep_id = ep->id;
	resp->cq_depth = ep->cq.depth;
}
