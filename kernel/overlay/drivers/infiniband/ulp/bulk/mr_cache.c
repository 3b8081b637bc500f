// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * The endpoint's MR cache. MPI, storage and AI middleware register the
 * same buffers again and again (per message, per I/O); pinning the pages
 * and registering them with the device each time costs more than moving
 * small messages. A registration the process deregisters therefore stays
 * pinned and registered on its endpoint for a while, and registering the
 * same range again from the same address space takes it back.
 *
 * Every MR carries an MMU interval notifier on its range from before its
 * pages are pinned: when the process's mapping of the range changes
 * (munmap, mremap, madvise(MADV_DONTNEED), a new mmap over it, exit), the
 * registration is marked stale and is never handed out again, so that
 * new memory at an old address is pinned afresh and never meets the old
 * pages. A stale cached registration is released by a work item (the
 * notifier may run where it cannot sleep).
 *
 * What the cache holds stays charged to RLIMIT_MEMLOCK; a registration
 * that fails for want of memory releases the endpoint's cache and tries
 * once more. mr_cache_size (module parameter, per endpoint, 0 turns the
 * cache off) bounds the count; the least recently cached goes first.
 */

#include <linux/mmu_notifier.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "bulk.h"

static unsigned int bulk_mr_cache_size = 32;
module_param_named(mr_cache_size, bulk_mr_cache_size, uint, 0644);
MODULE_PARM_DESC(mr_cache_size,
		 "registrations kept per endpoint after deregistration (0: none)");

static bool bulk_mr_invalidate(struct mmu_interval_notifier *mni,
			       const struct mmu_notifier_range *range,
			       unsigned long cur_seq)
{
	struct ib_bulk_mr *mr = container_of(mni, struct ib_bulk_mr, notifier);
	struct ib_bulk_ep *ep = mr->ep;

	/*
	 * fork() write-protects the parent's pages for copy-on-write, but
	 * pinned pages are copied for the child at once and the parent's
	 * mapping stays: the registration is still right.
	 */
	if (range->event == MMU_NOTIFY_PROTECTION_PAGE)
		return true;
	spin_lock(&ep->mr_cache_lock);
	mmu_interval_set_seq(mni, cur_seq);
	mr->stale = true;
	if (!list_empty(&mr->cache_entry) && !ep->mr_cache_closed)
		queue_work(system_wq, &ep->mr_cache_reap);
	spin_unlock(&ep->mr_cache_lock);
	return true;
}

static const struct mmu_interval_notifier_ops bulk_mr_notifier_ops = {
	.invalidate = bulk_mr_invalidate,
};

/*
 * Watch @mr's range from before its pages are pinned; afterwards,
 * bulk_mr_watch_end() says whether the mapping changed meanwhile.
 */
int bulk_mr_watch_begin(struct ib_bulk_mr *mr, unsigned long *seq)
{
	int ret;

	INIT_LIST_HEAD(&mr->cache_entry);
	ret = mmu_interval_notifier_insert(&mr->notifier, mr->mm, mr->addr,
					   mr->length, &bulk_mr_notifier_ops);
	if (ret)
		return ret;
	*seq = mmu_interval_read_begin(&mr->notifier);
	return 0;
}

/* Whether the mapping changed since @seq (then @mr is stale). */
bool bulk_mr_watch_end(struct ib_bulk_mr *mr, unsigned long seq)
{
	struct ib_bulk_ep *ep = mr->ep;
	bool changed;

	spin_lock(&ep->mr_cache_lock);
	changed = mr->stale || mmu_interval_read_retry(&mr->notifier, seq);
	mr->stale = changed;
	spin_unlock(&ep->mr_cache_lock);
	return changed;
}

/*
 * Watch afresh before pinning @mr's range again; returns the sequence for
 * bulk_mr_watch_end(). A change from now on marks it stale again.
 */
unsigned long bulk_mr_watch_restart(struct ib_bulk_mr *mr)
{
	spin_lock(&mr->ep->mr_cache_lock);
	mr->stale = false;
	spin_unlock(&mr->ep->mr_cache_lock);
	return mmu_interval_read_begin(&mr->notifier);
}

/* Deregistration proper: the id, the key, the pins, the references. */
void bulk_mr_release(struct ib_bulk_mr *mr)
{
	/* Ids start at 1: 0 is an MR that never got one. */
	if (mr->id)
		xa_release(&mr->ep->mrs, mr->id);
	mmu_interval_notifier_remove(&mr->notifier);
	ib_dereg_mr(mr->ibmr);
	mmdrop(mr->mm);
	bulk_ep_put(mr->ep);
	kfree(mr);
}

/*
 * A cached registration of exactly [@addr, @addr + @length) in the
 * caller's address space, taken out of the cache, or NULL.
 */
struct ib_bulk_mr *bulk_mr_cache_take(struct ib_bulk_ep *ep, u64 addr,
				      u64 length)
{
	struct ib_bulk_mr *mr, *found = NULL;

	spin_lock(&ep->mr_cache_lock);
	list_for_each_entry(mr, &ep->mr_cache, cache_entry) {
		if (mr->addr == addr && mr->length == length &&
		    mr->mm == current->mm && !mr->stale) {
			list_del_init(&mr->cache_entry);
			ep->mr_cache_count--;
			found = mr;
			break;
		}
	}
	spin_unlock(&ep->mr_cache_lock);
	return found;
}

/*
 * Keep a deregistered @mr for later, if it may be: true when the cache
 * took it. The least recently cached one beyond the bound is released.
 */
bool bulk_mr_cache_put(struct ib_bulk_mr *mr)
{
	struct ib_bulk_ep *ep = mr->ep;
	struct ib_bulk_mr *old = NULL;
	bool taken = false;

	spin_lock(&ep->mr_cache_lock);
	if (bulk_mr_cache_size && !mr->stale && !ep->mr_cache_closed &&
	    !bulk_dev_removed(ep->dev)) {
		list_add(&mr->cache_entry, &ep->mr_cache);
		taken = true;
		if (++ep->mr_cache_count > bulk_mr_cache_size) {
			old = list_last_entry(&ep->mr_cache, struct ib_bulk_mr,
					      cache_entry);
			list_del_init(&old->cache_entry);
			ep->mr_cache_count--;
		}
	}
	spin_unlock(&ep->mr_cache_lock);
	if (old)
		bulk_mr_release(old);
	return taken;
}

/* Release the MRs taken off the cache onto @gone. */
static void bulk_mr_release_list(struct list_head *gone)
{
	struct ib_bulk_mr *mr, *next;

	list_for_each_entry_safe(mr, next, gone, cache_entry) {
		list_del_init(&mr->cache_entry);
		bulk_mr_release(mr);
	}
}

/*
 * Release every cached registration (@close: and cache none from now);
 * whether there was any.
 */
bool bulk_mr_cache_flush(struct ib_bulk_ep *ep, bool close)
{
	LIST_HEAD(gone);
	bool any;

	spin_lock(&ep->mr_cache_lock);
	if (close)
		ep->mr_cache_closed = true;
	list_splice_init(&ep->mr_cache, &gone);
	ep->mr_cache_count = 0;
	spin_unlock(&ep->mr_cache_lock);
	any = !list_empty(&gone);
	bulk_mr_release_list(&gone);
	if (close)
		cancel_work_sync(&ep->mr_cache_reap);
	return any;
}

/* Release the cached registrations whose mapping changed. */
static void bulk_mr_cache_reap(struct work_struct *work)
{
	struct ib_bulk_ep *ep = container_of(work, struct ib_bulk_ep,
					     mr_cache_reap);
	struct ib_bulk_mr *mr, *next;
	LIST_HEAD(gone);

	spin_lock(&ep->mr_cache_lock);
	list_for_each_entry_safe(mr, next, &ep->mr_cache, cache_entry) {
		if (mr->stale) {
			list_move(&mr->cache_entry, &gone);
			ep->mr_cache_count--;
		}
	}
	spin_unlock(&ep->mr_cache_lock);
	bulk_mr_release_list(&gone);
}

void bulk_mr_cache_init(struct ib_bulk_ep *ep)
{
	spin_lock_init(&ep->mr_cache_lock);
	INIT_LIST_HEAD(&ep->mr_cache);
	INIT_WORK(&ep->mr_cache_reap, bulk_mr_cache_reap);
}
