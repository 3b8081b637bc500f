/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/* libibbulk's private view of its public objects. */
#ifndef BULK_PRIV_H
#define BULK_PRIV_H

#include <stdatomic.h>
#include <stdint.h>
#include <infiniband/bulk.h>

/* The library builds with hidden visibility; this marks the public API. */
#define EXPORT __attribute__((visibility("default")))

struct ibv_bulk_ep {
	struct ibv_context *ctx;
	int fd;			/* the endpoint's anonymous file */
	uint32_t id;
	uint32_t cq_depth;
	uint32_t driver_id;	/* for every later ioctl on ctx */
	atomic_uint num_mrs;	/* MRs and connections hold ep: */
	atomic_uint num_conns;	/* it cannot close before them */
};

struct ibv_bulk_mr {
	struct ibv_bulk_ep *ep;
	uint32_t handle;	/* the uverbs object */
	uint32_t id;		/* names the MR in the endpoint's operations */
	void *addr;
	size_t length;
};

struct ibv_bulk_conn {
	struct ibv_bulk_ep *ep;
	uint32_t handle;	/* the uverbs object */
	uint32_t id;		/* names the connection in operations */
};

#endif /* BULK_PRIV_H */
