// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * What a user of the installed packages writes: open the first device
 * and an endpoint on it. Built by tests/package/run against the packages'
 * headers, pkg-config files and libraries only. Prints the outcome:
 * "ep_id N", the errno name, or "no RDMA device"; exits 0 when the
 * library answered as documented.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <infiniband/bulk.h>
#include <rdma/rdma_bulk.h>

int main(void)
{
	struct ibv_device **list;
	struct ibv_context *ctx;
	struct ibv_bulk_ep *ep;
	int n;

	list = ibv_get_device_list(&n);
	if (!list || !n) {
		printf("no RDMA device\n");
		return 0;
	}
	ctx = ibv_open_device(list[0]);
	ibv_free_device_list(list);
	if (!ctx) {
		perror("ibv_open_device");
		return 1;
	}
	ep = ibv_bulk_ep_open(ctx, NULL);
	if (ep) {
		printf("ep_id %u\n", ibv_bulk_ep_id(ep));
		ibv_bulk_ep_close(ep);
	} else {
		printf("%s\n", strerrorname_np(errno));
	}
	/* The address helper links too; NULL: the first active device. */
	ep = rdma_bulk_ep_open(NULL, NULL);
	if (ep)
		ibv_bulk_ep_close(ep);
	ibv_close_device(ctx);
	return 0;
}
