/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * librdmabulk: address helpers for the bulk transport, as librdmacm is for
 * verbs. Open an endpoint on the device that owns an IP address, and
 * connect to an endpoint by host name and port.
 */
#ifndef RDMA_BULK_H
#define RDMA_BULK_H

#include <stdint.h>
#include <infiniband/bulk.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An endpoint on the RDMA device that @local_addr (an IPv4 address or host
 * name) belongs to; NULL: the first device with an active port. NULL with
 * errno set on failure.
 */
struct ibv_bulk_ep *rdma_bulk_ep_open(const char *local_addr,
				      const struct ibv_bulk_ep_init_attr *attr);

/*
 * ibv_bulk_connect() to endpoint @remote_ep_id of @host (IPv4 address or
 * name) at @port (a number or service name; NULL: the transport's port).
 */
struct ibv_bulk_conn *rdma_bulk_connect(struct ibv_bulk_ep *ep,
					const char *host, const char *port,
					uint32_t remote_ep_id);

#ifdef __cplusplus
}
#endif

#endif /* RDMA_BULK_H */
