// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk MRs: the caller's memory, pinned and registered on the device's
 * kernel PD. ib_reg_user_mr() pins the pages of the calling process and
 * charges them to its RLIMIT_MEMLOCK, all or nothing.
 *
 * The registration always allows remote READ: a SEND is a rendezvous in
 * which the receiving node's kernel reads the message straight from the
 * sender's MR. The key only ever travels between kernels, and a peer
 * endpoint reaches an MR only through a grant the owner gave it.
 *
 * An MR is the memory of the process that registered it, not of whoever
 * holds the endpoint's file: a child that inherited the file over fork()
 * or received it over SCM_RIGHTS would otherwise move (or let a peer
 * reach) pages that are no longer its own. Only the registering address
 * space may post on, grant or deregister it; others get EPERM and
 * register their own memory on the same endpoint.
 */

#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "bulk.h"

/*
 * The MR's own key serves the local side of every operation only, READ
 * sinks included: remote nodes reach its memory through keys made for
 * exactly one grant or one SEND's range (gkey.c), never through this
 * one, which never leaves the node.
 */
static int bulk_mr_access(void)
{
	return IB_ACCESS_LOCAL_WRITE;
}

/* Pin and register @mr's range on the device's PD. */
static int bulk_mr_pin(struct ib_bulk_mr *mr)
{
	struct ib_bulk_ep *ep = mr->ep;

	mr->ibmr = ib_reg_user_mr(ep->dev->pd, mr->addr, mr->length, mr->addr,
				  bulk_mr_access());
	if (PTR_ERR_OR_ZERO(mr->ibmr) == -ENOMEM && bulk_mr_cache_flush(ep, false))
		/* The cache's pinned pages count against RLIMIT_MEMLOCK. */
		mr->ibmr = ib_reg_user_mr(ep->dev->pd, mr->addr, mr->length,
					  mr->addr, bulk_mr_access());
	return PTR_ERR_OR_ZERO(mr->ibmr);
}

struct ib_bulk_mr *bulk_mr_reg(struct ib_bulk_ep *ep,
			       const struct ib_uverbs_bulk_mr_reg *cmd,
			       struct ib_uverbs_bulk_mr_resp *resp)
{
	const u32 known = IB_UVERBS_BULK_ACCESS_REMOTE_READ |
			  IB_UVERBS_BULK_ACCESS_REMOTE_WRITE;
	struct ib_bulk_mr *mr;
	unsigned long seq;
	int ret, pins;
	u64 end;

	if (bulk_dev_removed(ep->dev))
		return ERR_PTR(-ENODEV);
	if (cmd->access & ~known)
		return ERR_PTR(-EINVAL);
	if (!cmd->length || check_add_overflow(cmd->addr, cmd->length, &end) ||
	    end > TASK_SIZE ||
	    cmd->length > ep->dev->ibdev->attrs.max_mr_size)
		return ERR_PTR(-EINVAL);
	/*
	 * More than the node's memory can never be pinned. Refused before
	 * the driver sizes its page lists by it: siw allocates one for the
	 * whole range first, and a huge one warns in the page allocator.
	 */
	if (cmd->length >> PAGE_SHIFT > totalram_pages())
		return ERR_PTR(-ENOMEM);

	mr = bulk_mr_cache_take(ep, cmd->addr, cmd->length);
	if (mr) {
		/* The registration allows everything; the grants decide. */
		mr->access = cmd->access;
		/* Its id stayed reserved: filling the slot allocates nothing. */
		xa_store(&ep->mrs, mr->id, mr, GFP_KERNEL);
		resp->mr_id = mr->id;
		return mr;
	}

	mr = kzalloc(sizeof(*mr), GFP_KERNEL);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	mr->ep = ep;
	bulk_ep_get(ep);
	mr->addr = cmd->addr;
	mr->length = cmd->length;
	mr->access = cmd->access;
	mr->mm = current->mm;
	mmgrab(mr->mm);
	ret = bulk_mr_watch_begin(mr, &seq);
	if (ret)
		goto err_free;

	for (pins = 0;; pins++) {
		ret = bulk_mr_pin(mr);
		if (ret)
			goto err_unwatch;
		/*
		 * Pinning for write may change the mapping itself: pages only
		 * read so far map the shared zero page, and the pin breaks
		 * that copy-on-write. The registration is right, but stale
		 * from the start, so it would never be cached. Pin once more,
		 * now that the pages are the process's own; a range that
		 * keeps changing stays uncached.
		 */
		if (!bulk_mr_watch_end(mr, seq) || pins)
			break;
		ib_dereg_mr(mr->ibmr);
		seq = bulk_mr_watch_restart(mr);
	}

	ret = xa_alloc(&ep->mrs, &mr->id, mr, xa_limit_32b, GFP_KERNEL);
	if (ret) {
		/* xa_alloc() may have set an id it did not store. */
		mr->id = 0;
		bulk_mr_release(mr);
		return ERR_PTR(ret);
	}
	resp->mr_id = mr->id;
	return mr;

err_unwatch:
	mmu_interval_notifier_remove(&mr->notifier);
err_free:
	mmdrop(mr->mm);
	bulk_ep_put(ep);
	kfree(mr);
	return ERR_PTR(ret);
}

/*
 * Deregistration waits for the operations that use the MR, so that no
 * work request on a shared QP ever names a dead key (then the endpoint's
 * cache may keep the registration, see mr_cache.c); its RECVs still
 * waiting for a message complete with ECANCELED. An MR that a grant
 * still covers is refused (EBUSY) when the process asks; when the process
 * goes, its grants are revoked first.
 */
int bulk_mr_dereg(struct ib_bulk_mr *mr, enum rdma_remove_reason why)
{
	bool closing;

	if (why == RDMA_REMOVE_DESTROY && !bulk_mr_owned(mr))
		return -EPERM;
	if (why == RDMA_REMOVE_DESTROY && atomic_read(&mr->num_grants))
		return -EBUSY;
	/* Not given back by the process: its endpoint is going away. */
	closing = why != RDMA_REMOVE_DESTROY || READ_ONCE(mr->ep->dead);
	bulk_revoke_mr(mr, closing);
	/*
	 * No new operation finds the MR from here. Its id stays reserved
	 * until the registration is released, so that a cache hit gets the
	 * same id back without allocating one.
	 */
	xa_store(&mr->ep->mrs, mr->id, NULL, GFP_KERNEL);
	/*
	 * RECVs waiting for a SEND would wait for ever: they complete as
	 * cancelled. What moves data now completes by itself.
	 */
	bulk_ep_cancel_recvs(mr->ep, mr);
	wait_var_event(&mr->inflight, !atomic_read(&mr->inflight));
	/* Only what the process gives back is kept: not at exit or close. */
	if (why != RDMA_REMOVE_DESTROY || !bulk_mr_cache_put(mr))
		bulk_mr_release(mr);
	return 0;
}

/* Whether the calling context is the address space @mr's pages belong to. */
bool bulk_mr_owned(const struct ib_bulk_mr *mr)
{
	return current->mm == mr->mm;
}

void bulk_mr_put_inflight(struct ib_bulk_mr *mr)
{
	if (atomic_dec_and_test(&mr->inflight))
		wake_up_var(&mr->inflight);
}
