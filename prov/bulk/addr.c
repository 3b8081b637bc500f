// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Endpoint names. rdma-bulk reaches a node by IP address, so a name is the
 * node's address and the endpoint's id there. Which address is this node's
 * own: FI_BULK_ADDR if set, else the first IPv4 (then global IPv6) address
 * of the network interface the RDMA device sits on, the one its RDMA CM
 * listener is reached through.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include "fi_bulk.h"

int bulk_fi_name_check(const void *addr, size_t len)
{
	const struct bulk_fi_name *name = addr;

	if (len < sizeof(*name) || name->node.sin6_family != AF_INET6 ||
	    name->reserved)
		return -FI_EINVAL;
	return 0;
}

bool bulk_fi_name_eq(const struct bulk_fi_name *a,
		     const struct bulk_fi_name *b)
{
	return a->ep_id == b->ep_id &&
	       !memcmp(&a->node.sin6_addr, &b->node.sin6_addr,
		       sizeof(a->node.sin6_addr)) &&
	       a->node.sin6_scope_id == b->node.sin6_scope_id;
}

void bulk_fi_name_str(const struct bulk_fi_name *name, char *buf,
		      size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	const struct in6_addr *a = &name->node.sin6_addr;

	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], host, sizeof(host));
	else
		inet_ntop(AF_INET6, a, host, sizeof(host));
	snprintf(buf, len, "fi_bulk://%s%s%s/%u",
		 IN6_IS_ADDR_V4MAPPED(a) ? "" : "[", host,
		 IN6_IS_ADDR_V4MAPPED(a) ? "" : "]", name->ep_id);
}

static void bulk_fi_set_node(struct sockaddr_in6 *node,
			     const struct sockaddr *sa)
{
	memset(node, 0, sizeof(*node));
	node->sin6_family = AF_INET6;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		node->sin6_addr.s6_addr[10] = 0xff;
		node->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&node->sin6_addr.s6_addr[12], &in->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		node->sin6_addr = in6->sin6_addr;
		node->sin6_scope_id = in6->sin6_scope_id;
	}
}

/* The network interface under @ctx's device, from sysfs. */
static int bulk_fi_netdev(struct ibv_context *ctx, char *ifname, size_t len)
{
	static const char *const files[] = {
		"ports/1/gid_attrs/ndevs/0",	/* RoCE: rxe */
		"parent",			/* siw, rxe */
	};
	char path[512];
	unsigned int i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s",
			 ctx->device->ibdev_path, files[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(ifname, len, f)) {
			ifname[strcspn(ifname, "\n")] = '\0';
			fclose(f);
			if (*ifname && if_nametoindex(ifname))
				return 0;
		} else {
			fclose(f);
		}
	}
	return -ENOENT;
}

static int bulk_fi_param_node(struct sockaddr_in6 *node)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res;
	char *str = NULL;

	if (fi_param_get_str(&bulk_fi_prov, "addr", &str) || !str)
		return -ENOENT;
	if (getaddrinfo(str, NULL, &hints, &res)) {
		BF_WARN(FI_LOG_CORE, "FI_BULK_ADDR=%s is no IP address\n",
			str);
		return -EINVAL;
	}
	bulk_fi_set_node(node, res->ai_addr);
	freeaddrinfo(res);
	return 0;
}

int bulk_fi_local_node(struct ibv_context *ctx, struct sockaddr_in6 *node)
{
	char ifname[IF_NAMESIZE + 1] = "";
	const struct sockaddr *best = NULL;
	struct ifaddrs *ifa, *i;
	int ret;

	ret = bulk_fi_param_node(node);
	if (ret != -ENOENT)
		return ret;
	bulk_fi_netdev(ctx, ifname, sizeof(ifname));
	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (*ifname && strcmp(i->ifa_name, ifname))
			continue;
		if (sa->sa_family == AF_INET) {
			best = sa;
			break;
		}
		if (sa->sa_family == AF_INET6 && !best &&
		    !IN6_IS_ADDR_LINKLOCAL(
			    &((const struct sockaddr_in6 *)(const void *)sa)
				     ->sin6_addr))
			best = sa;
	}
	if (best)
		bulk_fi_set_node(node, best);
	freeifaddrs(ifa);
	return best ? 0 : -ENOENT;
}

struct ibv_device *bulk_fi_find_device(struct ibv_device **list,
				       const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(ibv_get_device_name(*list), name))
			return *list;
	return NULL;
}
