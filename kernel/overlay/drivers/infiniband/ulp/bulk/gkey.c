// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk grant keys: the device enforces each grant.
 *
 * A grant gets remote keys of its own, fast-registration MRs over exactly
 * the granted bytes with exactly the granted access, registered with
 * IB_WR_REG_MR on the QP of the node it is for. Its MR's own key never
 * leaves the node for a grant. Revoking deregisters the keys, so that
 * the device refuses them before the revoke returns, whatever the other
 * node's kernel does with them.
 *
 * A fast-registration MR maps a limited number of pages (512 on rxe, 256
 * on siw): a grant is a row of keys, key k covering bytes [k << shift,
 * (k + 1) << shift) of the grant's own address space, in which the grant
 * starts at the page offset of its first byte. The node picks the key of
 * each work request by its address, and never lets one cross a key.
 *
 * Fast registration rather than memory windows: siw has none, and the
 * kernel offers no memory window API to a ULP. Deregistration rather than
 * a pool of MRs invalidated and re-keyed: the device then draws a new
 * index for the next grant (rxe and siw allocate them cyclically, and
 * rxe adds a random key byte), so a stale key does not name a new grant;
 * a pool would save the allocation on devices where it is slow.
 *
 * A SEND's data phase gets keys the same way, over exactly the message's
 * range: READ for the receiving node (RTS), WRITE for a pushing sender
 * (CTS); they live until the SEND or the RECV completes. So the MR's own
 * key needs, and has, local access only.
 *
 * The pages are pinned again for the keys' page lists, in the MR's
 * address space, and not charged to RLIMIT_MEMLOCK again: the MR's
 * registration charged them, and keys never outlive their MR.
 */

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "bulk.h"

/* Pages one key maps at most, whatever the device takes. */
#define BULK_GKEY_MAX_PAGES	BIT(16)

/**
 * struct bulk_gkey - one remote key over a slice of a grant
 * @mr: the fast-registration MR
 * @sgt: the slice's pages
 * @mapped: @sgt is mapped for the device
 * @reg: the work request that registers @mr
 * @mtx: queues @reg on the node's QP in order with the GRANT
 * @gk: the grant's keys this one belongs to
 */
struct bulk_gkey {
	struct ib_mr *mr;
	struct sg_table sgt;
	bool mapped;
	struct ib_reg_wr reg;
	struct bulk_msg_tx mtx;
	struct bulk_gkeys *gk;
};

/**
 * struct bulk_gkeys - the keys of one grant
 * @ibdev: the device they are on
 * @pages: the granted pages, pinned
 * @npages: entries of @pages
 * @dirty: the keys allow remote WRITE: the pages may be written
 * @wrs: registrations queued or posted, not yet completed or dropped
 * @base: where the grant starts in its address space (its page offset)
 * @shift: log2 of the bytes each key covers
 * @nkeys: entries of @key
 * @key: the keys, key k over bytes [k << @shift, (k + 1) << @shift)
 */
struct bulk_gkeys {
	struct ib_device *ibdev;
	struct page **pages;
	unsigned long npages;
	bool dirty;
	atomic_t wrs;
	u64 base;
	u8 shift;
	u32 nkeys;
	struct bulk_gkey key[];
};

/* A device key byte per registration, so a reused index gets a new key. */
static atomic_t bulk_gkey_byte = ATOMIC_INIT(0);

static int bulk_gkeys_access(u32 access)
{
	int flags = IB_ACCESS_LOCAL_WRITE;

	if (access & IB_UVERBS_BULK_ACCESS_REMOTE_READ)
		flags |= IB_ACCESS_REMOTE_READ;
	if (access & IB_UVERBS_BULK_ACCESS_REMOTE_WRITE)
		flags |= IB_ACCESS_REMOTE_WRITE;
	return flags;
}

/* log2 of the bytes a key of @ibdev covers: a power of two of pages. */
static u8 bulk_gkeys_shift(struct ib_device *ibdev)
{
	u32 pages = min(ibdev->attrs.max_fast_reg_page_list_len,
			BULK_GKEY_MAX_PAGES);

	return ilog2(max(pages, 1U)) + PAGE_SHIFT;
}

/* Map slice @k of @gk's pages into its key. */
static int bulk_gkey_map(struct bulk_gkeys *gk, struct ib_pd *pd, u32 k,
			 u64 length, u32 access)
{
	struct bulk_gkey *key = &gk->key[k];
	unsigned long first, n;
	u64 start, end;
	int ret;

	/* The slice in the grant's address space, and its pages. */
	start = max_t(u64, gk->base, (u64)k << gk->shift);
	end = min_t(u64, gk->base + length, (u64)(k + 1) << gk->shift);
	first = start >> PAGE_SHIFT;
	n = PFN_UP(end) - first;

	ret = sg_alloc_table_from_pages(&key->sgt, gk->pages + first, n,
					offset_in_page(start), end - start,
					GFP_KERNEL);
	if (ret)
		return ret;
	ret = ib_dma_map_sgtable_attrs(gk->ibdev, &key->sgt, DMA_BIDIRECTIONAL,
				       0);
	if (ret)
		return ret;
	key->mapped = true;
	key->mr = ib_alloc_mr(pd, IB_MR_TYPE_MEM_REG, n);
	if (IS_ERR(key->mr)) {
		ret = PTR_ERR(key->mr);
		key->mr = NULL;
		return ret;
	}
	ret = ib_map_mr_sg(key->mr, key->sgt.sgl, key->sgt.nents, NULL,
			   PAGE_SIZE);
	if (ret != key->sgt.nents)
		return ret < 0 ? ret : -EINVAL;
	/*
	 * The key's addresses are the grant's own, not the pages' (the same
	 * page offset, which the device's page arithmetic relies on).
	 */
	key->mr->iova = start;
	ib_update_fast_reg_key(key->mr,
			       (u8)atomic_inc_return(&bulk_gkey_byte));

	key->gk = gk;
	key->reg.wr.opcode = IB_WR_REG_MR;
	key->reg.mr = key->mr;
	key->reg.key = key->mr->rkey;
	key->reg.access = bulk_gkeys_access(access);
	key->mtx.wr = &key->reg.wr;
	return 0;
}

/* A registration completed, or was dropped with its peer. */
static void bulk_gkey_wr_done(struct bulk_msg_tx *mtx)
{
	struct bulk_gkey *key = container_of(mtx, struct bulk_gkey, mtx);

	if (atomic_dec_and_test(&key->gk->wrs))
		wake_up_var(&key->gk->wrs);
}

/*
 * Pin @npages pages of @mm from @start: the caller's own address space, or
 * the MR's from a work item (a RECV's keys are made when a SEND's CTS is
 * due). Return: pages pinned, or a negative errno.
 */
static long bulk_gkeys_pin(struct mm_struct *mm, unsigned long start,
			   unsigned long npages, unsigned int gup,
			   struct page **pages)
{
	long n;

	if (mm == current->mm)
		return pin_user_pages_fast(start, npages, gup, pages);
	if (!mmget_not_zero(mm))
		return -EFAULT;
	mmap_read_lock(mm);
	n = pin_user_pages_remote(mm, start, npages, gup, pages, NULL);
	mmap_read_unlock(mm);
	mmput(mm);
	return n;
}

/**
 * bulk_gkeys_create - device keys over a range of an MR's memory
 * @dev: the device the keys are for
 * @mm: the address space of @addr (the MR's)
 * @addr: user address
 * @length: bytes
 * @access: enum ib_uverbs_bulk_access_flags the keys allow
 *
 * Return: the keys, not registered yet (bulk_gkeys_register()), or an
 * ERR_PTR: -E2BIG beyond BULK_GRANT_MAX_KEYS keys, -EFAULT, -ENOMEM.
 */
struct bulk_gkeys *bulk_gkeys_create(struct bulk_dev *dev,
				     struct mm_struct *mm, u64 addr,
				     u64 length, u32 access)
{
	struct ib_device *ibdev = dev->ibdev;
	u8 shift = bulk_gkeys_shift(ibdev);
	unsigned int gup = FOLL_LONGTERM;
	struct bulk_gkeys *gk;
	unsigned long done;
	u64 base, nkeys;
	int ret;
	u32 k;

	base = offset_in_page(addr);
	nkeys = bulk_gkeys_needed(base + length, shift);
	if (nkeys > BULK_GRANT_MAX_KEYS)
		return ERR_PTR(-E2BIG);
	gk = kzalloc(struct_size(gk, key, nkeys), GFP_KERNEL);
	if (!gk)
		return ERR_PTR(-ENOMEM);
	gk->nkeys = nkeys;
	gk->ibdev = ibdev;
	gk->base = base;
	gk->shift = shift;
	gk->dirty = access & IB_UVERBS_BULK_ACCESS_REMOTE_WRITE;
	if (gk->dirty)
		gup |= FOLL_WRITE;
	gk->npages = PFN_UP(base + length);
	gk->pages = kvcalloc(gk->npages, sizeof(*gk->pages), GFP_KERNEL);
	if (!gk->pages) {
		ret = -ENOMEM;
		goto err;
	}
	for (done = 0; done < gk->npages; ) {
		long n = min_t(unsigned long, gk->npages - done, INT_MAX);

		n = bulk_gkeys_pin(mm, (addr & PAGE_MASK) + done * PAGE_SIZE,
				   n, gup, gk->pages + done);
		if (n <= 0) {
			ret = n ?: -EFAULT;
			goto err;
		}
		done += n;
	}
	for (k = 0; k < gk->nkeys; k++) {
		ret = bulk_gkey_map(gk, dev->pd, k, length, access);
		if (ret)
			goto err;
	}
	return gk;

err:
	bulk_gkeys_destroy(gk);
	return ERR_PTR(ret);
}

/* Queue the keys' registrations on @peer's QP, ahead of the GRANT. */
void bulk_gkeys_register(struct bulk_gkeys *gk, struct bulk_peer *peer)
{
	u32 k;

	for (k = 0; k < gk->nkeys; k++) {
		atomic_inc(&gk->wrs);
		gk->key[k].mtx.done = bulk_gkey_wr_done;
		bulk_msg_send_wr(peer, &gk->key[k].mtx);
	}
}

/*
 * The GRANT, RTS or CTS for @gk: where the range starts in its keys'
 * address space, the first key and their size.
 */
void bulk_gkeys_fill_first(const struct bulk_gkeys *gk, struct bulk_msg *msg)
{
	msg->addr = cpu_to_le64(gk->base);
	msg->rkey = cpu_to_le32(gk->key[0].reg.key);
	msg->nkeys = cpu_to_le32(gk->nkeys);
	msg->key_shift = gk->shift;
}

/**
 * bulk_gkeys_rest - the messages that give the keys after the first
 * @gk: the keys
 * @type: BULK_MSG_GRANT_KEY or BULK_MSG_SEND_KEY
 * @id: which grant (GRANT_KEY), or the seq of the RTS or CTS (SEND_KEY)
 * @msgs: where they go, for bulk_msg_send_all() right after the message
 *	with the first key
 *
 * Made before that message is sent, so that nothing is missing once it
 * is (its answer may come before the keys are sent, and end @gk).
 * Return: 0, or -ENOMEM with @msgs empty.
 */
int bulk_gkeys_rest(const struct bulk_gkeys *gk, u16 type, u64 id,
		    struct list_head *msgs)
{
	struct bulk_msg_tx *mtx;
	u32 k;

	for (k = 1; k < gk->nkeys; k++) {
		mtx = bulk_msg_alloc(type, GFP_KERNEL);
		if (!mtx)
			goto err;
		mtx->msg.id = cpu_to_le64(id);
		mtx->msg.nkeys = cpu_to_le32(k);
		mtx->msg.rkey = cpu_to_le32(gk->key[k].reg.key);
		list_add_tail(&mtx->list, msgs);
	}
	return 0;

err:
	bulk_msg_free_all(msgs);
	return -ENOMEM;
}

/*
 * Whether keys as a GRANT, RTS or CTS announced them can cover [@addr,
 * @addr + @length) exactly: key k covers [k << @shift, (k + 1) << @shift),
 * and the range starts in the first page.
 */
bool bulk_gkeys_fit(u64 addr, u64 length, u32 nkeys, u8 shift)
{
	u64 end;

	return length && addr < PAGE_SIZE && shift >= PAGE_SHIFT &&
	       shift <= 40 && !check_add_overflow(addr, length, &end) &&
	       nkeys && nkeys <= BULK_GRANT_MAX_KEYS &&
	       nkeys == bulk_gkeys_needed(end, shift);
}

/*
 * Invalidate and free the keys: once this returns, the device refuses
 * every one of them. Their registrations finish first (completed, or
 * flushed with a dead QP).
 */
void bulk_gkeys_destroy(struct bulk_gkeys *gk)
{
	unsigned long npinned = 0;
	u32 k;

	wait_var_event(&gk->wrs, !atomic_read(&gk->wrs));
	for (k = 0; k < gk->nkeys; k++) {
		struct bulk_gkey *key = &gk->key[k];

		if (key->mr)
			ib_dereg_mr(key->mr);
		if (key->mapped)
			ib_dma_unmap_sgtable_attrs(gk->ibdev, &key->sgt,
						   DMA_BIDIRECTIONAL, 0);
		sg_free_table(&key->sgt);
	}
	if (gk->pages) {
		while (npinned < gk->npages && gk->pages[npinned])
			npinned++;
		unpin_user_pages_dirty_lock(gk->pages, npinned, gk->dirty);
	}
	kvfree(gk->pages);
	kfree(gk);
}
