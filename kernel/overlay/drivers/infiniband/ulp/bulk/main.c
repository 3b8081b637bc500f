// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk: the bulk zero-copy transport module. It registers its ops with
 * ib_uverbs, which owns the uverbs objects that reach it.
 */

#include <linux/module.h>
#include "bulk.h"

static const struct ib_bulk_ops bulk_ops = {
	.owner = THIS_MODULE,
	.ep_create = bulk_ep_create,
	.ep_destroy = bulk_ep_destroy,
	.ep_query = bulk_ep_query,
	.ep_poll_mask = bulk_ep_poll_mask,
	.mr_reg = bulk_mr_reg,
	.mr_dereg = bulk_mr_dereg,
};

static int __init ib_bulk_init(void)
{
	int ret;

	ret = bulk_dev_init();
	if (ret)
		return ret;
	ret = ib_bulk_register_ops(&bulk_ops);
	if (ret)
		bulk_dev_exit();
	return ret;
}

static void __exit ib_bulk_exit(void)
{
	ib_bulk_unregister_ops(&bulk_ops);
	bulk_dev_exit();
}

module_init(ib_bulk_init);
module_exit(ib_bulk_exit);

MODULE_DESCRIPTION("Bulk zero-copy RDMA transport");
MODULE_LICENSE("Dual BSD/GPL");
