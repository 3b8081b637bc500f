// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk completion rings: each endpoint holds its pending completions in
 * a ring of the depth it asked for. Every operation reserves its slot when
 * it is accepted (and an incoming immediate when it arrives), so a
 * completion always has room and none is ever dropped; an endpoint whose
 * ring is full refuses new operations instead.
 */

#include <linux/mm.h>
#include <linux/poll.h>
#include "bulk.h"

int bulk_cq_init(struct bulk_cq *cq, u32 depth)
{
	cq->wcs = kvcalloc(depth, sizeof(*cq->wcs), GFP_KERNEL);
	if (!cq->wcs)
		return -ENOMEM;
	cq->depth = depth;
	return 0;
}

void bulk_cq_free(struct bulk_cq *cq)
{
	kvfree(cq->wcs);
}

/* Promise one completion a slot; false when the ring is committed. */
bool bulk_cq_reserve(struct ib_bulk_ep *ep)
{
	struct bulk_cq *cq = &ep->cq;
	bool ok;

	spin_lock(&ep->lock);
	ok = !ep->dead && cq->count + cq->reserved < cq->depth;
	if (ok)
		cq->reserved++;
	spin_unlock(&ep->lock);
	return ok;
}

void bulk_cq_unreserve(struct ib_bulk_ep *ep)
{
	spin_lock(&ep->lock);
	ep->cq.reserved--;
	spin_unlock(&ep->lock);
}

/* Deliver a completion into the slot reserved for it. */
void bulk_cq_push(struct ib_bulk_ep *ep, const struct ib_uverbs_bulk_wc *wc)
{
	struct bulk_cq *cq = &ep->cq;

	spin_lock(&ep->lock);
	cq->reserved--;
	/* Under the lock: a dead endpoint's wait queue may be gone. */
	if (!ep->dead) {
		cq->wcs[(cq->head + cq->count) & (cq->depth - 1)] = *wc;
		cq->count++;
		wake_up_poll(ep->wq, EPOLLIN | EPOLLRDNORM);
	}
	spin_unlock(&ep->lock);
}

/* Move up to @num completions out of the ring, oldest first. */
int bulk_ep_poll(struct ib_bulk_ep *ep, struct ib_uverbs_bulk_wc *wc, u32 num)
{
	struct bulk_cq *cq = &ep->cq;
	u32 n, i;

	spin_lock(&ep->lock);
	n = min(num, cq->count);
	for (i = 0; i < n; i++)
		wc[i] = cq->wcs[(cq->head + i) & (cq->depth - 1)];
	cq->head = (cq->head + n) & (cq->depth - 1);
	cq->count -= n;
	spin_unlock(&ep->lock);
	return n;
}

__poll_t bulk_ep_poll_mask(struct ib_bulk_ep *ep)
{
	return READ_ONCE(ep->cq.count) ? EPOLLIN | EPOLLRDNORM : 0;
}
