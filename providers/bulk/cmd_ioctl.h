/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Building and issuing RDMA_VERBS_IOCTL calls. Debian's libibverbs does not
 * export its ioctl helpers, so the library marshals its own attributes.
 */
#ifndef BULK_CMD_IOCTL_H
#define BULK_CMD_IOCTL_H

#include <stddef.h>
#include <stdint.h>
#include <rdma/rdma_user_ioctl_cmds.h>

#define BULK_IOCTL_MAX_ATTRS 8

struct bulk_ioctl {
	struct ib_uverbs_ioctl_hdr hdr;
	struct ib_uverbs_attr attrs[BULK_IOCTL_MAX_ATTRS];
};

void bulk_ioctl_init(struct bulk_ioctl *cmd, uint16_t object_id,
		     uint16_t method_id, uint32_t driver_id);
/* The returned attribute's data holds the new fd or handle afterwards. */
struct ib_uverbs_attr *bulk_ioctl_new(struct bulk_ioctl *cmd, uint16_t attr_id);
/* An existing object: its file descriptor or its uverbs handle. */
void bulk_ioctl_obj(struct bulk_ioctl *cmd, uint16_t attr_id, int64_t id);
void bulk_ioctl_ptr_in(struct bulk_ioctl *cmd, uint16_t attr_id,
		       const void *ptr, size_t len);
void bulk_ioctl_ptr_out(struct bulk_ioctl *cmd, uint16_t attr_id, void *ptr,
			size_t len);
/* 0 or a positive errno; a kernel without the method gives EOPNOTSUPP. */
int bulk_ioctl_exec(int cmd_fd, struct bulk_ioctl *cmd);

/* The uverbs driver id of @ctx's device, needed in every ioctl header. */
int bulk_driver_id(const char *dev_name, uint32_t *driver_id);

#endif /* BULK_CMD_IOCTL_H */
