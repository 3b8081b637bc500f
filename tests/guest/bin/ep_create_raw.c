// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * UVERBS_METHOD_BULK_EP_CREATE with hand-made attributes, for the guest
 * tests of the kernel's input checks (the library never sends these).
 *   ep_create_raw DEVICE COMP_MASK CQ_DEPTH RESERVED TRAILING_BYTE [no-attr]
 * The attribute is 8 bytes longer than struct ib_uverbs_bulk_ep_attr, its
 * tail filled with TRAILING_BYTE. Prints "ok ep_id=N cq_depth=N" or the
 * errno name, and exits 0 either way: the caller judges.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include <rdma/ib_user_ioctl_bulk.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include "../../../providers/bulk/cmd_ioctl.h"
#include "device.h"

struct padded_attr {
	struct ib_uverbs_bulk_ep_attr attr;
	unsigned char tail[8];
};

int main(int argc, char **argv)
{
	struct ib_uverbs_bulk_ep_resp resp = {};
	struct ib_uverbs_attr *fd_attr;
	struct padded_attr in = {};
	struct ibv_context *ctx;
	struct bulk_ioctl cmd;
	uint32_t driver_id;
	int ret;

	if (argc < 6) {
		fprintf(stderr, "usage: %s DEVICE COMP_MASK CQ_DEPTH RESERVED TRAILING [no-attr]\n",
			argv[0]);
		return 2;
	}
	ctx = find_device(argv[1]);
	if (!ctx) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	ret = bulk_driver_id(argv[1], &driver_id);
	if (ret) {
		fprintf(stderr, "driver id of %s: %s\n", argv[1], strerror(ret));
		return 2;
	}
	in.attr.comp_mask = strtoull(argv[2], NULL, 0);
	in.attr.cq_depth = strtoul(argv[3], NULL, 0);
	in.attr.reserved = strtoul(argv[4], NULL, 0);
	memset(in.tail, (int)strtoul(argv[5], NULL, 0), sizeof(in.tail));

	bulk_ioctl_init(&cmd, UVERBS_OBJECT_BULK_EP, UVERBS_METHOD_BULK_EP_CREATE,
			driver_id);
	fd_attr = bulk_ioctl_new(&cmd, UVERBS_ATTR_BULK_EP_CREATE_HANDLE);
	if (argc < 7 || strcmp(argv[6], "no-attr"))
		bulk_ioctl_ptr_in(&cmd, UVERBS_ATTR_BULK_EP_CREATE_ATTR, &in,
				  sizeof(in));
	bulk_ioctl_ptr_out(&cmd, UVERBS_ATTR_BULK_EP_CREATE_RESP, &resp,
			   sizeof(resp));
	ret = bulk_ioctl_exec(ctx->cmd_fd, &cmd);
	if (ret) {
		printf("%s\n", strerrorname_np(ret));
	} else {
		printf("ok ep_id=%u cq_depth=%u\n", resp.ep_id, resp.cq_depth);
		close(fd_attr->data_s64);
	}
	ibv_close_device(ctx);
	return 0;
}
