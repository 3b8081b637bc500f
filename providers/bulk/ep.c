// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Endpoints: a process's handle on the bulk transport of one device.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <rdma/ib_user_ioctl_bulk.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include "bulk_priv.h"
#include "cmd_ioctl.h"

EXPORT struct ibv_bulk_ep *ibv_bulk_ep_open(struct ibv_context *ctx,
					    const struct ibv_bulk_ep_init_attr *attr)
{
	struct ib_uverbs_bulk_ep_attr kattr = {};
	struct ib_uverbs_bulk_ep_resp resp = {};
	struct ib_uverbs_attr *fd_attr;
	struct bulk_ioctl cmd;
	struct ibv_bulk_ep *ep;
	uint32_t driver_id;
	int ret;

	if (!ctx) {
		errno = EINVAL;
		return NULL;
	}
	if (attr) {
		if (attr->comp_mask & ~(uint64_t)IBV_BULK_EP_INIT_ATTR_CQ_DEPTH) {
			errno = EOPNOTSUPP;
			return NULL;
		}
		if (attr->comp_mask & IBV_BULK_EP_INIT_ATTR_CQ_DEPTH) {
			if (!attr->cq_depth) {
				errno = EINVAL;
				return NULL;
			}
			kattr.cq_depth = attr->cq_depth;
		}
	}

	ret = bulk_driver_id(ibv_get_device_name(ctx->device), &driver_id);
	if (ret) {
		errno = ret;
		return NULL;
	}
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return NULL;

	bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_EP, UVERBS_METHOD_BULK_EP_CREATE,
			driver_id);
	fd_attr = bulk_ioctl_new(&cmd, UVERBS_ATTR_BULK_EP_CREATE_HANDLE);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_EP_CREATE_ATTR, &kattr,
			  sizeof(kattr));
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_EP_CREATE_RESP, &resp,
			   sizeof(resp));
	ret = bulk_ioctl_exec(ctx->cmd_fd, &cmd);
	if (ret) {
		free(ep);
		errno = ret;
		return NULL;
	}
	ep->ctx = ctx;
	ep->fd = fd_attr->data_s64;
	ep->id = resp.ep_id;
	ep->cq_depth = resp.cq_depth;
	ep->driver_id = driver_id;
	return ep;
}

EXPORT int ibv_bulk_ep_close(struct ibv_bulk_ep *ep)
{
	int ret = 0;

	if (!ep)
		return EINVAL;
	if (atomic_load(&ep->num_mrs) || atomic_load(&ep->num_conns))
		return EBUSY;
	/* The endpoint's file holds it: closing the file destroys it. */
	if (close(ep->fd))
		ret = errno;
	free(ep);
	return ret;
}

EXPORT uint32_t ibv_bulk_ep_id(const struct ibv_bulk_ep *ep)
{
	return ep->id;
}

EXPORT int ibv_bulk_ep_fd(const struct ibv_bulk_ep *ep)
{
	return ep->fd;
}

EXPORT uint32_t ibv_bulk_ep_cq_depth(const struct ibv_bulk_ep *ep)
{
	return ep->cq_depth;
}
