// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk's state per RDMA device: the kernel protection domain that every
 * MR and connection of the device lives in.
 *
 * The ib_client's remove callback can run before ib_uverbs has destroyed
 * the endpoints and MRs of a departing device (clients are removed in
 * reverse order of registration, and ib_uverbs registered first), so the
 * state is reference counted: the PD goes with the last user.
 */

#include <linux/slab.h>
#include "bulk.h"

static int bulk_dev_add(struct ib_device *ibdev);
static void bulk_dev_remove(struct ib_device *ibdev, void *client_data);

static struct ib_client bulk_client = {
	.name = "ib_bulk",
	.add = bulk_dev_add,
	.remove = bulk_dev_remove,
};

/* Serializes lookups against removal of the client data. */
static DEFINE_MUTEX(bulk_dev_lock);

static int bulk_dev_add(struct ib_device *ibdev)
{
	struct bulk_dev *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	kref_init(&dev->ref);
	dev->ibdev = ibdev;
	dev->pd = ib_alloc_pd(ibdev, 0);
	if (IS_ERR(dev->pd)) {
		int ret = PTR_ERR(dev->pd);

		kfree(dev);
		return ret;
	}
	mutex_lock(&bulk_dev_lock);
	ib_set_client_data(ibdev, &bulk_client, dev);
	mutex_unlock(&bulk_dev_lock);
	return 0;
}

static void bulk_dev_release(struct kref *ref)
{
	struct bulk_dev *dev = container_of(ref, struct bulk_dev, ref);

	ib_dealloc_pd(dev->pd);
	kfree(dev);
}

static void bulk_dev_remove(struct ib_device *ibdev, void *client_data)
{
	struct bulk_dev *dev = client_data;

	mutex_lock(&bulk_dev_lock);
	ib_set_client_data(ibdev, &bulk_client, NULL);
	mutex_unlock(&bulk_dev_lock);
	/*
	 * Devices that cannot disassociate (rxe, siw) stay until every
	 * process has closed its uverbs file: until then the endpoints
	 * refuse new work, and what they wait for fails now.
	 */
	WRITE_ONCE(dev->removed, true);
	/* The device's QPs go before it does. */
	bulk_peer_kill_dev(dev);
	bulk_ep_cancel_dev_recvs(dev);
	bulk_dev_put(dev);
}

struct bulk_dev *bulk_dev_get(struct ib_device *ibdev)
{
	struct bulk_dev *dev;

	mutex_lock(&bulk_dev_lock);
	dev = ib_get_client_data(ibdev, &bulk_client);
	if (dev)
		kref_get(&dev->ref);
	mutex_unlock(&bulk_dev_lock);
	return dev;
}

void bulk_dev_put(struct bulk_dev *dev)
{
	kref_put(&dev->ref, bulk_dev_release);
}

int bulk_dev_init(void)
{
	return ib_register_client(&bulk_client);
}

void bulk_dev_exit(void)
{
	ib_unregister_client(&bulk_client);
}
