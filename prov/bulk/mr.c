// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * fi_mr_reg(). The provider needs no registration for messages (FI_MR_LOCAL
 * is never required): eager messages are copied and rendezvous payloads
 * registered as bulk MRs on the endpoint when sent, where the kernel's MR
 * cache makes the repeated registration of a buffer cheap. An MR with
 * FI_REMOTE_READ or FI_REMOTE_WRITE is a target of FI_RMA under the key
 * the application asked for (mr_mode 0), unique in the domain; rma.c
 * registers and grants it when a peer first asks.
 */
#include <stdlib.h>
#include "fi_bulk.h"

static int bulk_fi_mr_close(struct fid *fid)
{
	struct bulk_fi_mr *mr = bf_container_of(fid, struct bulk_fi_mr, mr.fid);

	pthread_mutex_lock(&mr->dom->lock);
	if (mr->access & (FI_REMOTE_READ | FI_REMOTE_WRITE)) {
		/* Every peer's grant of it ends before this returns. */
		bulk_fi_mr_uses_free(mr, NULL);
		bf_list_del(&mr->link);
	}
	mr->dom->refs--;
	pthread_mutex_unlock(&mr->dom->lock);
	free(mr);
	return 0;
}

static struct fi_ops bulk_fi_mr_fi_ops = {
	.size = sizeof(struct fi_ops),
	.close = bulk_fi_mr_close,
	.bind = bulk_fi_no_bind,
	.control = bulk_fi_no_control,
	.ops_open = bulk_fi_no_ops_open,
};

int bulk_fi_mr_regattr(struct fid *fid, const struct fi_mr_attr *attr,
		       uint64_t flags, struct fid_mr **mrp)
{
	struct bulk_fi_domain *dom =
		bf_container_of(fid, struct bulk_fi_domain, domain.fid);
	bool remote = attr && (attr->access & (FI_REMOTE_READ | FI_REMOTE_WRITE));
	struct bf_list *pos, *tmp;
	struct bulk_fi_mr *mr;

	if (fid->fclass != FI_CLASS_DOMAIN || !attr || !mrp)
		return -FI_EINVAL;
	if (flags)
		return -FI_EBADFLAGS;
	if (attr->iov_count > 1)
		return -FI_EINVAL;
	if (attr->iface != FI_HMEM_SYSTEM)
		return -FI_ENOSYS;
	if (remote && (attr->iov_count != 1 || !attr->mr_iov[0].iov_len ||
		       attr->offset))
		return -FI_EINVAL;	/* remote addresses are offsets */
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return -FI_ENOMEM;
	mr->dom = dom;
	mr->access = attr->access & (FI_REMOTE_READ | FI_REMOTE_WRITE);
	if (attr->iov_count) {
		mr->buf = attr->mr_iov[0].iov_base;
		mr->len = attr->mr_iov[0].iov_len;
	}
	bf_list_init(&mr->uses);
	mr->mr.fid.fclass = FI_CLASS_MR;
	mr->mr.fid.context = attr->context;
	mr->mr.fid.ops = &bulk_fi_mr_fi_ops;
	mr->mr.mem_desc = NULL;
	mr->mr.key = remote ? attr->requested_key : FI_KEY_NOTAVAIL;
	pthread_mutex_lock(&dom->lock);
	if (remote) {
		bf_list_for_each_safe(pos, tmp, &dom->rmrs) {
			if (bf_container_of(pos, struct bulk_fi_mr, link)->mr.key ==
			    mr->mr.key) {
				pthread_mutex_unlock(&dom->lock);
				free(mr);
				return -FI_ENOKEY;	/* the key is taken */
			}
		}
		bf_list_add_tail(&dom->rmrs, &mr->link);
	}
	dom->refs++;
	pthread_mutex_unlock(&dom->lock);
	*mrp = &mr->mr;
	return 0;
}

int bulk_fi_mr_regv(struct fid *fid, const struct iovec *iov, size_t count,
		    uint64_t access, uint64_t offset, uint64_t requested_key,
		    uint64_t flags, struct fid_mr **mr, void *context)
{
	struct fi_mr_attr attr = {
		.mr_iov = iov,
		.iov_count = count,
		.access = access,
		.offset = offset,
		.requested_key = requested_key,
		.context = context,
		.iface = FI_HMEM_SYSTEM,
	};

	return bulk_fi_mr_regattr(fid, &attr, flags, mr);
}

int bulk_fi_mr_reg(struct fid *fid, const void *buf, size_t len,
		   uint64_t access, uint64_t offset, uint64_t requested_key,
		   uint64_t flags, struct fid_mr **mr, void *context)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	return bulk_fi_mr_regv(fid, &iov, 1, access, offset, requested_key,
			       flags, mr, context);
}
