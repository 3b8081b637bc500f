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
};

static int __init ib_bulk_init(void)
{
	return ib_bulk_register_ops(&bulk_ops);
}

static void __exit ib_bulk_exit(void)
{
	ib_bulk_unregister_ops(&bulk_ops);
}

module_init(ib_bulk_init);
module_exit(ib_bulk_exit);

MODULE_DESCRIPTION("Bulk zero-copy RDMA transport");
MODULE_LICENSE("Dual BSD/GPL");
