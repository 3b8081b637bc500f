// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ibv_bulk_ep_open() and ibv_bulk_ep_close() reject bad arguments before
 * they reach the kernel, and report a missing transport as EOPNOTSUPP
 * (or a missing device as ENODEV) without crashing. Runs on a host
 * without RDMA, on a fake context whose device does not exist.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <infiniband/bulk.h>
#include "check.h"

static int have_rdma_netlink(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_RDMA);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int open_errno(struct ibv_context *ctx,
		      const struct ibv_bulk_ep_init_attr *attr)
{
	struct ibv_bulk_ep *ep;

	errno = 0;
	ep = ibv_bulk_ep_open(ctx, attr);
	if (ep) {
		ibv_bulk_ep_close(ep);
		return 0;
	}
	return errno;
}

int main(void)
{
	struct ibv_device dev = { .name = "nosuchdev0" };
	struct ibv_context ctx = { .device = &dev, .cmd_fd = -1 };
	struct ibv_bulk_ep_init_attr attr = {};

	CHECK_ERRNO(open_errno(NULL, NULL), EINVAL);

	attr.comp_mask = 1ULL << 63;
	CHECK_ERRNO(open_errno(&ctx, &attr), EOPNOTSUPP);

	attr.comp_mask = IBV_BULK_EP_INIT_ATTR_CQ_DEPTH;
	attr.cq_depth = 0;
	CHECK_ERRNO(open_errno(&ctx, &attr), EINVAL);

	/* Valid arguments reach the device lookup, which has nothing to find. */
	attr.cq_depth = 64;
	CHECK_ERRNO(open_errno(&ctx, &attr),
		    have_rdma_netlink() ? ENODEV : EOPNOTSUPP);
	CHECK_ERRNO(open_errno(&ctx, NULL),
		    have_rdma_netlink() ? ENODEV : EOPNOTSUPP);

	CHECK_ERRNO(ibv_bulk_ep_close(NULL), EINVAL);
	return check_done("test_ep_args");
}
