// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * librdmabulk: find the device behind an address with librdmacm (binding
 * an RDMA CM id to the address resolves it, as rdma_cm does for verbs
 * users) and resolve host names for connections.
 */
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <netinet/in.h>
#include <rdma/rdma_cma.h>
#include "rdma_bulk.h"

#define EXPORT __attribute__((visibility("default")))

/* getaddrinfo() for IPv6 and IPv4 alike; 0 or a positive errno. */
static int resolve(const char *host, const char *port, struct addrinfo **ai)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	int ret;

	ret = getaddrinfo(host, port, &hints, ai);
	if (ret)
		return ret == EAI_SYSTEM ? errno : EHOSTUNREACH;
	return 0;
}

/* The first device with an active port. */
static struct ibv_context *first_active(void)
{
	struct ibv_context **list, *found = NULL;
	struct ibv_port_attr pattr;
	int n, i;
	uint8_t p;

	/* librdmacm keeps these contexts open for the life of the process. */
	list = rdma_get_devices(&n);
	if (!list)
		return NULL;
	for (i = 0; i < n && !found; i++) {
		struct ibv_device_attr dattr;

		if (ibv_query_device(list[i], &dattr))
			continue;
		for (p = 1; p <= dattr.phys_port_cnt && !found; p++)
			if (!ibv_query_port(list[i], p, &pattr) &&
			    pattr.state == IBV_PORT_ACTIVE)
				found = list[i];
	}
	rdma_free_devices(list);
	if (!found)
		errno = ENODEV;
	return found;
}

/* The device @addr belongs to, by binding an RDMA CM id to it. */
static struct ibv_context *device_of_addr(struct rdma_event_channel *ch,
					  struct sockaddr *addr, int *err)
{
	struct ibv_context *ctx = NULL;
	struct rdma_cm_id *id;

	if (rdma_create_id(ch, &id, NULL, RDMA_PS_TCP)) {
		*err = errno;
		return NULL;
	}
	if (rdma_bind_addr(id, addr))
		*err = errno == EADDRNOTAVAIL ? ENODEV : errno;
	else if (!id->verbs)
		*err = ENODEV;	/* an address of no RDMA device */
	else
		ctx = id->verbs;
	rdma_destroy_id(id);
	return ctx;
}

/* The device of the first of @local_addr's addresses that has one. */
static struct ibv_context *device_of(const char *local_addr)
{
	struct rdma_event_channel *ch;
	struct ibv_context *ctx = NULL;
	struct addrinfo *ai, *a;
	int ret;

	ret = resolve(local_addr, NULL, &ai);
	if (ret) {
		errno = ret;
		return NULL;
	}
	ch = rdma_create_event_channel();
	if (!ch) {
		freeaddrinfo(ai);
		return NULL;
	}
	for (a = ai; a && !ctx; a = a->ai_next)
		ctx = device_of_addr(ch, a->ai_addr, &ret);
	rdma_destroy_event_channel(ch);
	freeaddrinfo(ai);
	if (!ctx)
		errno = ret;
	return ctx;
}

EXPORT struct ibv_bulk_ep *rdma_bulk_ep_open(const char *local_addr,
					     const struct ibv_bulk_ep_init_attr *attr)
{
	struct ibv_context *ctx;

	ctx = local_addr ? device_of(local_addr) : first_active();
	if (!ctx)
		return NULL;
	return ibv_bulk_ep_open(ctx, attr);
}

EXPORT struct ibv_bulk_conn *rdma_bulk_connect(struct ibv_bulk_ep *ep,
					       const char *host,
					       const char *port,
					       uint32_t remote_ep_id)
{
	struct ibv_bulk_conn *conn = NULL;
	struct addrinfo *ai, *a;
	int ret;

	if (!ep || !host) {
		errno = EINVAL;
		return NULL;
	}
	ret = resolve(host, port, &ai);
	if (ret) {
		errno = ret;
		return NULL;
	}
	/* In getaddrinfo()'s order, as a TCP client tries them. */
	for (a = ai; a && !conn; a = a->ai_next) {
		conn = ibv_bulk_connect(ep, a->ai_addr, remote_ep_id);
		if (!conn)
			ret = errno;
	}
	freeaddrinfo(ai);
	if (!conn)
		errno = ret ?: EHOSTUNREACH;
	return conn;
}
