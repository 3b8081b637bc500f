// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/* A domain is one RDMA device, opened once for the endpoints on it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fi_bulk.h"

static int bulk_fi_domain_close(struct fid *fid)
{
	struct bulk_fi_domain *dom =
		bf_container_of(fid, struct bulk_fi_domain, domain.fid);

	pthread_mutex_lock(&dom->lock);
	if (dom->refs) {
		pthread_mutex_unlock(&dom->lock);
		return -FI_EBUSY;
	}
	pthread_mutex_unlock(&dom->lock);
	ibv_close_device(dom->ctx);
	pthread_mutex_lock(&dom->fab->lock);
	dom->fab->refs--;
	pthread_mutex_unlock(&dom->fab->lock);
	pthread_mutex_destroy(&dom->lock);
	free(dom);
	return 0;
}

static struct fi_ops bulk_fi_domain_fi_ops = {
	.size = sizeof(struct fi_ops),
	.close = bulk_fi_domain_close,
	.bind = bulk_fi_no_bind,
	.control = bulk_fi_no_control,
	.ops_open = bulk_fi_no_ops_open,
};

static int bulk_fi_no_sep(struct fid_domain *domain, struct fi_info *info,
			  struct fid_ep **sep, void *context)
{
	(void)domain;
	(void)info;
	(void)sep;
	(void)context;
	return -FI_ENOSYS;
}

static int bulk_fi_no_cntr(struct fid_domain *domain,
			   struct fi_cntr_attr *attr, struct fid_cntr **cntr,
			   void *context)
{
	(void)domain;
	(void)attr;
	(void)cntr;
	(void)context;
	return -FI_ENOSYS;
}

static int bulk_fi_no_poll(struct fid_domain *domain,
			   struct fi_poll_attr *attr, struct fid_poll **poll)
{
	(void)domain;
	(void)attr;
	(void)poll;
	return -FI_ENOSYS;
}

static int bulk_fi_no_stx(struct fid_domain *domain, struct fi_tx_attr *attr,
			  struct fid_stx **stx, void *context)
{
	(void)domain;
	(void)attr;
	(void)stx;
	(void)context;
	return -FI_ENOSYS;
}

static int bulk_fi_no_srx(struct fid_domain *domain, struct fi_rx_attr *attr,
			  struct fid_ep **rx, void *context)
{
	(void)domain;
	(void)attr;
	(void)rx;
	(void)context;
	return -FI_ENOSYS;
}

static int bulk_fi_no_query_atomic(struct fid_domain *domain,
				   enum fi_datatype datatype, enum fi_op op,
				   struct fi_atomic_attr *attr,
				   uint64_t flags)
{
	(void)domain;
	(void)datatype;
	(void)op;
	(void)attr;
	(void)flags;
	return -FI_ENOSYS;
}

static int bulk_fi_no_query_coll(struct fid_domain *domain,
				 enum fi_collective_op coll,
				 struct fi_collective_attr *attr,
				 uint64_t flags)
{
	(void)domain;
	(void)coll;
	(void)attr;
	(void)flags;
	return -FI_ENOSYS;
}

static struct fi_ops_domain bulk_fi_domain_ops = {
	.size = sizeof(struct fi_ops_domain),
	.av_open = bulk_fi_av_open,
	.cq_open = bulk_fi_cq_open,
	.endpoint = bulk_fi_ep_open,
	.scalable_ep = bulk_fi_no_sep,
	.cntr_open = bulk_fi_no_cntr,
	.poll_open = bulk_fi_no_poll,
	.stx_ctx = bulk_fi_no_stx,
	.srx_ctx = bulk_fi_no_srx,
	.query_atomic = bulk_fi_no_query_atomic,
	.query_collective = bulk_fi_no_query_coll,
};

static struct fi_ops_mr bulk_fi_domain_mr_ops = {
	.size = sizeof(struct fi_ops_mr),
	.reg = bulk_fi_mr_reg,
	.regv = bulk_fi_mr_regv,
	.regattr = bulk_fi_mr_regattr,
};

int bulk_fi_domain_open(struct fid_fabric *fabric, struct fi_info *info,
			struct fid_domain **domain, void *context)
{
	struct bulk_fi_fabric *fab =
		bf_container_of(fabric, struct bulk_fi_fabric, fabric);
	struct ibv_device **list;
	struct ibv_device *dev;
	struct bulk_fi_domain *dom;
	int ret;

	if (!info || !info->domain_attr || !info->domain_attr->name)
		return -FI_EINVAL;
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -FI_ENOMEM;
	list = ibv_get_device_list(NULL);
	dev = bulk_fi_find_device(list, info->domain_attr->name);
	if (!dev) {
		ret = -FI_ENODEV;
		goto err;
	}
	dom->ctx = ibv_open_device(dev);
	if (!dom->ctx) {
		ret = bulk_fi_err(errno);
		goto err;
	}
	ibv_free_device_list(list);
	list = NULL;
	if (info->src_addr && !bulk_fi_name_check(info->src_addr,
						  info->src_addrlen)) {
		memcpy(&dom->local, info->src_addr, sizeof(dom->local));
	} else {
		ret = bulk_fi_local_node(dom->ctx, &dom->local.node);
		if (ret) {
			ibv_close_device(dom->ctx);
			ret = -FI_EADDRNOTAVAIL;
			goto err;
		}
	}
	dom->local.ep_id = 0;
	dom->av_type = info->domain_attr->av_type;
	dom->fab = fab;
	pthread_mutex_init(&dom->lock, NULL);
	bf_list_init(&dom->rmrs);
	dom->domain.fid.fclass = FI_CLASS_DOMAIN;
	dom->domain.fid.context = context;
	dom->domain.fid.ops = &bulk_fi_domain_fi_ops;
	dom->domain.ops = &bulk_fi_domain_ops;
	dom->domain.mr = &bulk_fi_domain_mr_ops;
	pthread_mutex_lock(&fab->lock);
	fab->refs++;
	pthread_mutex_unlock(&fab->lock);
	*domain = &dom->domain;
	return 0;

err:
	ibv_free_device_list(list);
	free(dom);
	return ret;
}
