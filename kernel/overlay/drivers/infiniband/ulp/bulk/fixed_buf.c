// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * io_uring registered buffers as the local side of WRITE and READ.
 *
 * io_uring pinned (writable) and charged a registered buffer when it was
 * registered, and the request holds the registration until its CQE: so
 * the pages need no bulk MR. They are DMA-mapped for the operation and
 * reach the device as SGEs under the PD's local DMA lkey, several per
 * work request; they are unmapped before the CQE, after which io_uring
 * may unregister the buffer.
 */

#include <linux/io_uring/cmd.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include "bulk.h"

/**
 * struct bulk_fixed - the DMA-mapped pages of one operation's local range
 * @ibdev: mapped on
 * @sgt: the pages; @sgt.nents is the count of mapped entries
 * @dir: the DMA direction (to the device for WRITE)
 * @pos: the part of the range not yet given to a work request
 */
struct bulk_fixed {
	struct ib_device *ibdev;
	struct sg_table sgt;
	enum dma_data_direction dir;
	struct bulk_fixed_pos pos;
};

/* The segments the range in @iter (a BVEC iterator) spans. */
static unsigned int bulk_fixed_segs(const struct iov_iter *iter)
{
	const struct bio_vec *bv = iter->bvec;
	size_t skip = iter->iov_offset, left = iter->count;
	unsigned int n = 0;

	for (; left; bv++, n++) {
		left -= min_t(size_t, bv->bv_len - skip, left);
		skip = 0;
	}
	return n;
}

/**
 * bulk_fixed_map - map a range of the request's registered buffer
 * @ucmd: the command, submitted with IORING_URING_CMD_FIXED
 * @ibdev: the device the operation runs on
 * @addr: the range's user address, inside the registered buffer
 * @len: its length, not 0
 * @to_device: the device reads the range (WRITE), else writes it (READ)
 *
 * Return: the mapping, or an ERR_PTR: -EFAULT when the range is not inside
 * the buffer (as io_uring's own fixed reads and writes say).
 */
struct bulk_fixed *bulk_fixed_map(struct io_uring_cmd *ucmd,
				  struct ib_device *ibdev, u64 addr, u64 len,
				  bool to_device)
{
	const struct bio_vec *bv;
	struct scatterlist *sg;
	struct bulk_fixed *bf;
	struct iov_iter iter;
	size_t skip, left;
	int ret, nents;

	ret = io_uring_cmd_import_fixed(addr, len, to_device ? WRITE : READ,
					&iter, ucmd);
	if (ret)
		return ERR_PTR(ret);
	if (WARN_ON_ONCE(!iov_iter_is_bvec(&iter) || iter.count != len))
		return ERR_PTR(-EFAULT);

	bf = kzalloc(sizeof(*bf), GFP_KERNEL);
	if (!bf)
		return ERR_PTR(-ENOMEM);
	bf->ibdev = ibdev;
	bf->dir = to_device ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	ret = sg_alloc_table(&bf->sgt, bulk_fixed_segs(&iter), GFP_KERNEL);
	if (ret)
		goto err_free;

	bv = iter.bvec;
	skip = iter.iov_offset;
	left = iter.count;
	for_each_sg(bf->sgt.sgl, sg, bf->sgt.orig_nents, nents) {
		size_t seg = min_t(size_t, bv->bv_len - skip, left);

		sg_set_page(sg, bv->bv_page, seg, bv->bv_offset + skip);
		left -= seg;
		skip = 0;
		bv++;
	}

	nents = ib_dma_map_sg(ibdev, bf->sgt.sgl, bf->sgt.orig_nents, bf->dir);
	if (!nents) {
		ret = -ENOMEM;
		goto err_table;
	}
	bf->sgt.nents = nents;
	bf->pos.sg = bf->sgt.sgl;
	bf->pos.left = nents;
	return bf;

err_table:
	sg_free_table(&bf->sgt);
err_free:
	kfree(bf);
	return ERR_PTR(ret);
}

/**
 * bulk_fixed_unmap - end the device's access; the pages are io_uring's
 * @bf: the mapping, freed
 *
 * Called before the operation's CQE: the request's hold on the registered
 * buffer ends with it.
 */
void bulk_fixed_unmap(struct bulk_fixed *bf)
{
	ib_dma_unmap_sg(bf->ibdev, bf->sgt.sgl, bf->sgt.orig_nents, bf->dir);
	sg_free_table(&bf->sgt);
	kfree(bf);
}

/**
 * bulk_fixed_sges - the SGEs of the next work request
 * @bf: the mapping
 * @lkey: the PD's local DMA lkey
 * @sge: filled, at most @max_sge entries
 * @max_sge: the work request's SGE limit
 * @max_len: the work request's byte limit
 * @num_sge: set to the entries filled
 * @next: set to where the request after this one starts; the caller
 *	stores it in @bf once the request is posted
 *
 * Return: the bytes the SGEs cover, 0 when nothing is left.
 */
u32 bulk_fixed_sges(const struct bulk_fixed *bf, u32 lkey,
		    struct ib_sge *sge, int max_sge, u32 max_len,
		    int *num_sge, struct bulk_fixed_pos *next)
{
	struct bulk_fixed_pos pos = bf->pos;
	u32 total = 0;
	int n = 0;

	while (pos.left && n < max_sge && total < max_len) {
		u32 seg = min(sg_dma_len(pos.sg) - pos.off, max_len - total);

		sge[n].addr = sg_dma_address(pos.sg) + pos.off;
		sge[n].length = seg;
		sge[n].lkey = lkey;
		n++;
		total += seg;
		pos.off += seg;
		if (pos.off == sg_dma_len(pos.sg)) {
			pos.sg = sg_next(pos.sg);
			pos.off = 0;
			pos.left--;
		}
	}
	*num_sge = n;
	*next = pos;
	return total;
}

/* Store where the next work request starts: bulk_fixed_sges(). */
void bulk_fixed_advance(struct bulk_fixed *bf, const struct bulk_fixed_pos *next)
{
	bf->pos = *next;
}
