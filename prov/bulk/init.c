// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * The provider's entry point and fi_getinfo(): one fi_info per RDMA device
 * on which an rdma-bulk endpoint can be opened (the kernel has the
 * transport and the ib_bulk module serves the device), so that fi_info
 * lists the provider exactly where it works.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fi_bulk.h"

static const struct fi_tx_attr bulk_fi_tx_attr = {
	.caps = FI_MSG | FI_TAGGED | FI_SEND | FI_RMA | FI_READ | FI_WRITE,
	.msg_order = FI_ORDER_SAS,
	.comp_order = FI_ORDER_NONE,
	.inject_size = BULK_FI_EAGER_MAX,
	.size = BULK_FI_TX_SLOTS,
	.iov_limit = 1,
	.rma_iov_limit = 1,
};

static const struct fi_rx_attr bulk_fi_rx_attr = {
	.caps = FI_MSG | FI_TAGGED | FI_RECV | FI_DIRECTED_RECV | FI_SOURCE |
		FI_RMA | FI_REMOTE_READ | FI_REMOTE_WRITE,
	.msg_order = FI_ORDER_SAS,
	.comp_order = FI_ORDER_NONE,
	.total_buffered_recv = BULK_FI_RX_SLOTS * BULK_FI_EAGER_MAX,
	.size = BULK_FI_CQ_DEPTH,
	.iov_limit = 1,
};

static const struct fi_ep_attr bulk_fi_ep_attr = {
	.type = FI_EP_RDM,
	.protocol = FI_PROTO_UNSPEC,
	.protocol_version = 1,
	.max_msg_size = 1ull << 32,
	/*
	 * libfabric's "generic" format (its own providers' FI_TAG_GENERIC,
	 * not in the public headers): all 64 bits are the application's,
	 * which is how Open MPI's mtl ofi counts the bits it may use.
	 */
	.mem_tag_format = 0xaaaaaaaaaaaaaaaaull,
	.tx_ctx_cnt = 1,
	.rx_ctx_cnt = 1,
};

static const struct fi_domain_attr bulk_fi_domain_attr = {
	.threading = FI_THREAD_SAFE,
	.control_progress = FI_PROGRESS_MANUAL,
	.data_progress = FI_PROGRESS_MANUAL,
	.resource_mgmt = FI_RM_ENABLED,
	.av_type = FI_AV_UNSPEC,
	.mr_mode = 0,
	.mr_key_size = sizeof(uint32_t),
	.cq_data_size = sizeof(uint64_t),
	.cq_cnt = 64,
	.ep_cnt = 64,
	.tx_ctx_cnt = 64,
	.rx_ctx_cnt = 64,
	.max_ep_tx_ctx = 1,
	.max_ep_rx_ctx = 1,
	.mr_iov_limit = 1,
	.caps = FI_LOCAL_COMM | FI_REMOTE_COMM,
	.mr_cnt = 65536,
};

static const struct fi_fabric_attr bulk_fi_fabric_attr = {
	.prov_version = BULK_FI_VERSION,
};

/*
 * Why @hints asks for something this provider cannot give, or NULL. Said
 * in the log (FI_LOG_LEVEL=info), as a user wonders why fi_info is empty.
 */
static const char *bulk_fi_hints_refused(const struct fi_info *hints)
{
	const struct fi_domain_attr *d = hints->domain_attr;

	if (hints->caps & ~BULK_FI_CAPS)
		return "capabilities beyond FI_MSG, FI_TAGGED, FI_RMA, FI_SEND, FI_RECV, FI_READ, FI_WRITE, FI_REMOTE_READ, FI_REMOTE_WRITE, FI_DIRECTED_RECV, FI_SOURCE, FI_LOCAL_COMM, FI_REMOTE_COMM";
	if (hints->ep_attr && hints->ep_attr->type != FI_EP_UNSPEC &&
	    hints->ep_attr->type != FI_EP_RDM)
		return "an endpoint type other than FI_EP_RDM";
	if (hints->addr_format != FI_FORMAT_UNSPEC)
		return "an address format (names are the provider's own)";
	if (hints->src_addr &&
	    bulk_fi_name_check(hints->src_addr, hints->src_addrlen))
		return "a source address that is no bulk name";
	if (hints->dest_addr &&
	    bulk_fi_name_check(hints->dest_addr, hints->dest_addrlen))
		return "a destination address that is no bulk name";
	if (d && d->av_type != FI_AV_UNSPEC && d->av_type != FI_AV_MAP &&
	    d->av_type != FI_AV_TABLE)
		return "an unknown AV type";
	if (d && (d->caps & ~(FI_REMOTE_COMM | FI_LOCAL_COMM)))
		return "domain capabilities beyond FI_LOCAL_COMM, FI_REMOTE_COMM";
	if (hints->fabric_attr && hints->fabric_attr->name &&
	    strcmp(hints->fabric_attr->name, BULK_FI_FABRIC_NAME))
		return "another fabric";
	if (hints->tx_attr && hints->tx_attr->iov_limit > 1)
		return "more than one iov per operation";
	if (hints->tx_attr && (hints->tx_attr->op_flags & ~BULK_FI_TX_OP_FLAGS))
		return "send flags beyond FI_COMPLETION, FI_INJECT_COMPLETE, FI_TRANSMIT_COMPLETE";
	if (hints->rx_attr && (hints->rx_attr->op_flags & ~BULK_FI_RX_OP_FLAGS))
		return "receive flags beyond FI_COMPLETION";
	return NULL;
}

static int bulk_fi_check_hints(const struct fi_info *hints)
{
	const char *why = hints ? bulk_fi_hints_refused(hints) : NULL;

	if (!why)
		return 0;
	BF_INFO(FI_LOG_CORE, "no fi_info: the hints ask for %s\n", why);
	return -FI_ENODATA;
}

/* Whether the transport works on @dev: an endpoint opens and closes. */
static struct ibv_context *bulk_fi_probe(struct ibv_device *dev)
{
	struct ibv_bulk_ep *ep;
	struct ibv_context *ctx;

	ctx = ibv_open_device(dev);
	if (!ctx)
		return NULL;
	ep = ibv_bulk_ep_open(ctx, NULL);
	if (!ep) {
		ibv_close_device(ctx);
		return NULL;
	}
	ibv_bulk_ep_close(ep);
	return ctx;
}

static struct fi_info *bulk_fi_info_new(const struct fi_info *hints,
					const char *dev_name,
					const struct bulk_fi_name *src)
{
	struct fi_info *info = fi_allocinfo();

	if (!info)
		return NULL;
	info->caps = BULK_FI_CAPS;
	info->mode = 0;
	info->addr_format = FI_FORMAT_UNSPEC;
	*info->tx_attr = bulk_fi_tx_attr;
	*info->rx_attr = bulk_fi_rx_attr;
	*info->ep_attr = bulk_fi_ep_attr;
	*info->domain_attr = bulk_fi_domain_attr;
	*info->fabric_attr = bulk_fi_fabric_attr;
	info->domain_attr->name = strdup(dev_name);
	info->fabric_attr->name = strdup(BULK_FI_FABRIC_NAME);
	info->src_addr = malloc(sizeof(*src));
	if (!info->domain_attr->name || !info->fabric_attr->name ||
	    !info->src_addr) {
		fi_freeinfo(info);
		return NULL;
	}
	memcpy(info->src_addr, src, sizeof(*src));
	info->src_addrlen = sizeof(*src);

	if (hints) {
		/* Give what was asked, within what there is. */
		if (hints->caps)
			info->caps = hints->caps & BULK_FI_CAPS;
		if (!(info->caps & (FI_SEND | FI_RECV)))
			info->caps |= FI_SEND | FI_RECV;
		info->tx_attr->caps &= info->caps;
		info->rx_attr->caps &= info->caps;
		/*
		 * The default flags of fi_send() and friends: without the
		 * FI_COMPLETION asked for here, an endpoint bound with
		 * FI_SELECTIVE_COMPLETION (Open MPI's) never sees one.
		 */
		if (hints->tx_attr)
			info->tx_attr->op_flags =
				hints->tx_attr->op_flags & BULK_FI_TX_OP_FLAGS;
		if (hints->rx_attr)
			info->rx_attr->op_flags =
				hints->rx_attr->op_flags & BULK_FI_RX_OP_FLAGS;
		if (hints->domain_attr && hints->domain_attr->av_type)
			info->domain_attr->av_type =
				hints->domain_attr->av_type;
		/*
		 * mr_mode stays 0 whatever the application could cope with:
		 * the provider never needs its buffers registered.
		 */
		if (hints->dest_addr) {
			info->dest_addr = malloc(hints->dest_addrlen);
			if (!info->dest_addr) {
				fi_freeinfo(info);
				return NULL;
			}
			memcpy(info->dest_addr, hints->dest_addr,
			       hints->dest_addrlen);
			info->dest_addrlen = hints->dest_addrlen;
		}
	}
	return info;
}

static int bulk_fi_getinfo(uint32_t version, const char *node,
			   const char *service, uint64_t flags,
			   const struct fi_info *hints, struct fi_info **info)
{
	struct fi_info *head = NULL, **tail = &head;
	struct ibv_device **list;
	int i, num, ret;

	(void)service;
	(void)flags;
	if (version < FI_VERSION(1, 5))
		return -FI_ENODATA;
	/* Nodes are named by our own address format, not a host name. */
	if (node && !(flags & FI_SOURCE))
		return -FI_ENODATA;
	ret = bulk_fi_check_hints(hints);
	if (ret)
		return ret;

	list = ibv_get_device_list(&num);
	if (!list)
		return -FI_ENODATA;
	for (i = 0; i < num; i++) {
		const char *dev_name = ibv_get_device_name(list[i]);
		const struct fi_domain_attr *dh =
			hints ? hints->domain_attr : NULL;
		struct bulk_fi_name src = {};
		struct ibv_context *ctx;
		struct fi_info *fi;

		if (dh && dh->name && strcmp(dh->name, dev_name))
			continue;
		ctx = bulk_fi_probe(list[i]);
		if (!ctx)
			continue;
		ret = bulk_fi_local_node(ctx, &src.node);
		ibv_close_device(ctx);
		if (ret) {
			BF_INFO(FI_LOG_CORE, "%s: no IP address: skipped\n",
				dev_name);
			continue;
		}
		if (hints && hints->src_addr)
			memcpy(&src, hints->src_addr, sizeof(src));
		src.ep_id = 0;
		fi = bulk_fi_info_new(hints, dev_name, &src);
		if (!fi) {
			ret = -FI_ENOMEM;
			goto err;
		}
		*tail = fi;
		tail = &fi->next;
	}
	ibv_free_device_list(list);
	if (!head)
		return -FI_ENODATA;
	*info = head;
	return 0;

err:
	ibv_free_device_list(list);
	fi_freeinfo(head);
	return ret;
}

static void bulk_fi_cleanup(void)
{
}

struct fi_provider bulk_fi_prov = {
	.version = BULK_FI_VERSION,
	.fi_version = BULK_FI_API_VERSION,
	.name = BULK_FI_PROV_NAME,
	.getinfo = bulk_fi_getinfo,
	.fabric = bulk_fi_fabric_open,
	.cleanup = bulk_fi_cleanup,
};

FI_EXT_INI
{
	fi_param_define(&bulk_fi_prov, "addr", FI_PARAM_STRING,
			"This node's address as peers reach it (default: "
			"the first address of the device's network "
			"interface)");
	fi_param_define(&bulk_fi_prov, "stats", FI_PARAM_BOOL,
			"Print each endpoint's counters to stderr when it "
			"closes (default: no)");
	return &bulk_fi_prov;
}
