// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Memory registration: the kernel pins and registers the range for an
 * endpoint and keeps the keys; the library keeps the handle and the id.
 */
#include <errno.h>
#include <stdlib.h>
#include <rdma/ib_user_ioctl_bulk.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include "bulk_priv.h"
#include "cmd_ioctl.h"

EXPORT struct ibv_bulk_mr *ibv_bulk_reg_mr(struct ibv_bulk_ep *ep, void *addr,
					   size_t length, unsigned int access)
{
	const unsigned int known = IBV_BULK_ACCESS_REMOTE_READ |
				   IBV_BULK_ACCESS_REMOTE_WRITE;
	struct ib_uverbs_bulk_mr_reg kcmd = {};
	struct ib_uverbs_bulk_mr_resp resp = {};
	struct ib_uverbs_attr *handle;
	struct ibv_bulk_mr *mr;
	struct bulk_ioctl cmd;
	int ret;

	if (!ep || !length || (access & ~known)) {
		errno = EINVAL;
		return NULL;
	}
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return NULL;

	kcmd.addr = (uintptr_t)addr;
	kcmd.length = length;
	kcmd.access = access;
	bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_MR, UVERBS_METHOD_BULK_MR_REG,
			ep->driver_id);
	handle = bulk_ioctl_new(&cmd, UVERBS_ATTR_BULK_MR_REG_HANDLE);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_MR_REG_EP, ep->fd);
	bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_MR_REG_CMD, &kcmd, sizeof(kcmd));
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_MR_REG_RESP, &resp,
			   sizeof(resp));
	ret = bulk_ioctl_exec(ep->ctx->cmd_fd, &cmd);
	if (ret) {
		free(mr);
		errno = ret;
		return NULL;
	}
	atomic_fetch_add(&ep->num_mrs, 1);
	mr->ep = ep;
	mr->handle = handle->data;
	mr->id = resp.mr_id;
	mr->addr = addr;
	mr->length = length;
	return mr;
}

EXPORT int ibv_bulk_dereg_mr(struct ibv_bulk_mr *mr)
{
	struct bulk_ioctl cmd;
	int ret;

	if (!mr)
		return EINVAL;
	bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_MR, UVERBS_METHOD_BULK_MR_DEREG,
			mr->ep->driver_id);
	bulk_ioctl_obj(&cmd, UVERBS_ATTR_BULK_MR_DEREG_HANDLE, mr->handle);
	ret = bulk_ioctl_exec(mr->ep->ctx->cmd_fd, &cmd);
	if (ret)
		return ret;
	atomic_fetch_sub(&mr->ep->num_mrs, 1);
	free(mr);
	return 0;
}
