// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/* The fabric: every rdma-bulk device of the node, one domain each. */
#include <stdlib.h>
#include <string.h>
#include "fi_bulk.h"

static int bulk_fi_fabric_close(struct fid *fid)
{
	struct bulk_fi_fabric *fab =
		bf_container_of(fid, struct bulk_fi_fabric, fabric.fid);

	pthread_mutex_lock(&fab->lock);
	if (fab->refs) {
		pthread_mutex_unlock(&fab->lock);
		return -FI_EBUSY;
	}
	pthread_mutex_unlock(&fab->lock);
	pthread_mutex_destroy(&fab->lock);
	free(fab);
	return 0;
}

static struct fi_ops bulk_fi_fabric_fi_ops = {
	.size = sizeof(struct fi_ops),
	.close = bulk_fi_fabric_close,
	.bind = bulk_fi_no_bind,
	.control = bulk_fi_no_control,
	.ops_open = bulk_fi_no_ops_open,
};

static int bulk_fi_no_pep(struct fid_fabric *fabric, struct fi_info *info,
			  struct fid_pep **pep, void *context)
{
	(void)fabric;
	(void)info;
	(void)pep;
	(void)context;
	return -FI_ENOSYS;	/* FI_EP_RDM only: nothing listens */
}

static int bulk_fi_no_wait_open(struct fid_fabric *fabric,
				struct fi_wait_attr *attr,
				struct fid_wait **waitset)
{
	(void)fabric;
	(void)attr;
	(void)waitset;
	return -FI_ENOSYS;
}

static int bulk_fi_trywait(struct fid_fabric *fabric, struct fid **fids,
			   int count)
{
	(void)fabric;
	(void)fids;
	(void)count;
	/* fi_cq_sread() waits by itself; there is no wait set to arm. */
	return -FI_ENOSYS;
}

static struct fi_ops_fabric bulk_fi_fabric_ops = {
	.size = sizeof(struct fi_ops_fabric),
	.domain = bulk_fi_domain_open,
	.passive_ep = bulk_fi_no_pep,
	.eq_open = bulk_fi_eq_open,
	.wait_open = bulk_fi_no_wait_open,
	.trywait = bulk_fi_trywait,
};

int bulk_fi_fabric_open(struct fi_fabric_attr *attr, struct fid_fabric **fabric,
			void *context)
{
	struct bulk_fi_fabric *fab;

	if (attr && attr->name && strcmp(attr->name, BULK_FI_FABRIC_NAME))
		return -FI_EINVAL;
	fab = calloc(1, sizeof(*fab));
	if (!fab)
		return -FI_ENOMEM;
	pthread_mutex_init(&fab->lock, NULL);
	fab->fabric.fid.fclass = FI_CLASS_FABRIC;
	fab->fabric.fid.context = context;
	fab->fabric.fid.ops = &bulk_fi_fabric_fi_ops;
	fab->fabric.ops = &bulk_fi_fabric_ops;
	*fabric = &fab->fabric;
	return 0;
}
