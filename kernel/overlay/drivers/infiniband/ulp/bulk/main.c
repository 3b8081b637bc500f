// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk: the bulk zero-copy transport module. It registers its ops with
 * ib_uverbs, which owns the uverbs objects that reach it, and listens for
 * the connections of other nodes.
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
	.conn_create = bulk_conn_create,
	.conn_destroy = bulk_conn_destroy,
	.grant = bulk_grant,
	.revoke = bulk_revoke,
	.post = bulk_ep_post,
	.poll = bulk_ep_poll,
	.uring_post = bulk_ep_uring_post,
	.uring_cancel = bulk_ep_uring_cancel,
};

static int __init ib_bulk_init(void)
{
	int ret;

	ret = bulk_peer_init();
	if (ret)
		return ret;
	ret = bulk_dev_init();
	if (ret)
		goto err_peer;
	ret = bulk_cm_listen();
	if (ret)
		goto err_dev;
	ret = ib_bulk_register_ops(&bulk_ops);
	if (ret)
		goto err_cm;
	bulk_hostile_init();
	return 0;

err_cm:
	bulk_cm_stop();
err_dev:
	bulk_dev_exit();
err_peer:
	bulk_peer_exit();
	return ret;
}

static void __exit ib_bulk_exit(void)
{
	bulk_hostile_exit();
	ib_bulk_unregister_ops(&bulk_ops);
	bulk_cm_stop();
	/* No endpoint is left: cached connections go with their peers. */
	bulk_peer_exit();
	bulk_dev_exit();
}

module_init(ib_bulk_init);
module_exit(ib_bulk_exit);

MODULE_DESCRIPTION("Bulk zero-copy RDMA transport");
MODULE_LICENSE("Dual BSD/GPL");
