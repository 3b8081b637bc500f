// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <rdma/rdma_user_ioctl.h>
#include "cmd_ioctl.h"

void bulk_ioctl_init(struct bulk_ioctl *cmd, uint16_t object_id,
		     uint16_t method_id, uint32_t driver_id)
{
	memset(&cmd->hdr, 0, sizeof(cmd->hdr));
	cmd->hdr.object_id = object_id;
	cmd->hdr.method_id = method_id;
	cmd->hdr.driver_id = driver_id;
}

static struct ib_uverbs_attr *next_attr(struct bulk_ioctl *cmd,
					uint16_t attr_id)
{
	struct ib_uverbs_attr *attr;

	/* A programming error in this library, not a run-time condition. */
	assert(cmd->hdr.num_attrs < BULK_IOCTL_MAX_ATTRS);
	attr = &cmd->attrs[cmd->hdr.num_attrs++];
	memset(attr, 0, sizeof(*attr));
	attr->attr_id = attr_id;
	attr->flags = UVERBS_ATTR_F_MANDATORY;
	return attr;
}

struct ib_uverbs_attr *bulk_ioctl_new(struct bulk_ioctl *cmd, uint16_t attr_id)
{
	struct ib_uverbs_attr *attr = next_attr(cmd, attr_id);

	attr->data_s64 = -1;
	return attr;
}

void bulk_ioctl_obj(struct bulk_ioctl *cmd, uint16_t attr_id, int64_t id)
{
	next_attr(cmd, attr_id)->data_s64 = id;
}

void bulk_ioctl_ptr_in(struct bulk_ioctl *cmd, uint16_t attr_id,
		       const void *ptr, size_t len)
{
	struct ib_uverbs_attr *attr = next_attr(cmd, attr_id);

	attr->len = len;
	/* The kernel reads up to 8 bytes inline from the data field. */
	if (len <= sizeof(attr->data))
		memcpy(&attr->data, ptr, len);
	else
		attr->data = (uintptr_t)ptr;
}

void bulk_ioctl_ptr_out(struct bulk_ioctl *cmd, uint16_t attr_id, void *ptr,
			size_t len)
{
	struct ib_uverbs_attr *attr = next_attr(cmd, attr_id);

	attr->len = len;
	attr->data = (uintptr_t)ptr;
}

int bulk_ioctl_exec(int cmd_fd, struct bulk_ioctl *cmd)
{
	cmd->hdr.length = sizeof(cmd->hdr) +
			  cmd->hdr.num_attrs * sizeof(cmd->attrs[0]);
	if (ioctl(cmd_fd, RDMA_VERBS_IOCTL, &cmd->hdr) == 0)
		return 0;
	/*
	 * An unknown object or method means a kernel without the bulk
	 * transport: say so the way every verbs extension does.
	 */
	if (errno == EPROTONOSUPPORT)
		return EOPNOTSUPP;
	return errno;
}
