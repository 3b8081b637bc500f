// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "device.h"
#include "loopback.h"

static int fail(struct loopback *lb, const char *what, int err)
{
	lb->failed = what;
	return err ?: EIO;
}

int loopback_open(struct loopback *lb, const char *dev, const char *addr,
		  void *abuf, void *zbuf, size_t len)
{
	const uint32_t rw = IBV_BULK_ACCESS_REMOTE_READ |
			    IBV_BULK_ACCESS_REMOTE_WRITE;
	int ret;

	memset(lb, 0, sizeof(*lb));
	lb->node.sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &lb->node.sin_addr) != 1)
		return fail(lb, addr, EINVAL);
	lb->ctx = find_device(dev);
	if (!lb->ctx)
		return fail(lb, dev, errno);
	lb->a = ibv_bulk_ep_open(lb->ctx, NULL);
	lb->z = lb->a ? ibv_bulk_ep_open(lb->ctx, NULL) : NULL;
	if (!lb->z)
		return fail(lb, "ibv_bulk_ep_open", errno);
	lb->amr = ibv_bulk_reg_mr(lb->a, abuf, len, 0);
	lb->zmr = lb->amr ? ibv_bulk_reg_mr(lb->z, zbuf, len, rw) : NULL;
	if (!lb->zmr)
		return fail(lb, "ibv_bulk_reg_mr", errno);
	lb->az = ibv_bulk_connect(lb->a, (struct sockaddr *)&lb->node,
				  ibv_bulk_ep_id(lb->z));
	lb->za = lb->az ? ibv_bulk_connect(lb->z, (struct sockaddr *)&lb->node,
					   ibv_bulk_ep_id(lb->a)) : NULL;
	if (!lb->za)
		return fail(lb, "ibv_bulk_connect", errno);
	ret = ibv_bulk_grant(lb->za, lb->zmr, 0, len, rw, &lb->grant);
	if (ret)
		return fail(lb, "ibv_bulk_grant", ret);
	return 0;
}

int loopback_close(struct loopback *lb)
{
	int ret;

	ret = ibv_bulk_revoke(lb->za, lb->grant);
	if (ret)
		return fail(lb, "ibv_bulk_revoke", ret);
	ret = ibv_bulk_disconnect(lb->az) ?: ibv_bulk_disconnect(lb->za);
	if (ret)
		return fail(lb, "ibv_bulk_disconnect", ret);
	ret = ibv_bulk_dereg_mr(lb->amr) ?: ibv_bulk_dereg_mr(lb->zmr);
	if (ret)
		return fail(lb, "ibv_bulk_dereg_mr", ret);
	ret = ibv_bulk_ep_close(lb->a) ?: ibv_bulk_ep_close(lb->z);
	if (ret)
		return fail(lb, "ibv_bulk_ep_close", ret);
	ibv_close_device(lb->ctx);
	return 0;
}
