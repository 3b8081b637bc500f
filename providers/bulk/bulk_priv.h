/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/* libibbulk's private view of its public objects. */
#ifndef BULK_PRIV_H
#define BULK_PRIV_H

#include <stdint.h>
#include <infiniband/bulk.h>

struct ibv_bulk_ep {
	struct ibv_context *ctx;
	int fd;			/* the endpoint's anonymous file */
	uint32_t id;
	uint32_t cq_depth;
	uint32_t driver_id;	/* for every later ioctl on ctx */
};

#endif /* BULK_PRIV_H */
