// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * FI_EP_RDM endpoints. fi_enable() opens the rdma-bulk endpoint and posts
 * the bounce buffers; fi_close() gives everything back in the order the
 * kernel needs: grants and connections, then MRs, then the endpoint.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fi_bulk.h"

static void bulk_fi_ep_stats(struct bulk_fi_ep *ep)
{
	const struct bulk_fi_stats *s = &ep->stats;
	int print = 0;

	if (fi_param_get_bool(&bulk_fi_prov, "stats", &print) || !print)
		return;
	fprintf(stderr,
		"bulk: ep %u: tx_eager %llu tx_rndv %llu rx_eager %llu rx_rndv %llu rx_unexpected %llu tx_retries %llu rx_ooo %llu truncated %llu tx_bytes %llu rx_bytes %llu rma_ops %llu rma_bytes %llu grants_given %llu\n",
		ep->name.ep_id, (unsigned long long)s->tx_eager,
		(unsigned long long)s->tx_rndv,
		(unsigned long long)s->rx_eager,
		(unsigned long long)s->rx_rndv,
		(unsigned long long)s->rx_unexpected,
		(unsigned long long)s->tx_retries,
		(unsigned long long)s->rx_ooo,
		(unsigned long long)s->truncated,
		(unsigned long long)s->tx_bytes,
		(unsigned long long)s->rx_bytes,
		(unsigned long long)s->rma_ops,
		(unsigned long long)s->rma_bytes,
		(unsigned long long)s->grants_given);
}

static int bulk_fi_ep_close(struct fid *fid)
{
	struct bulk_fi_ep *ep = bf_container_of(fid, struct bulk_fi_ep, ep.fid);
	struct bulk_fi_domain *dom = ep->dom;

	pthread_mutex_lock(&dom->lock);
	if (ep->bep) {
		/* Sends in flight end first, so no grant is left behind. */
		bulk_fi_progress(ep);
		bulk_fi_ep_stats(ep);
	}
	bulk_fi_ep_flush(ep);
	bulk_fi_rma_ep_close(ep);
	bulk_fi_peers_free(ep);
	if (ep->rx_mr)
		ibv_bulk_dereg_mr(ep->rx_mr);
	if (ep->tx_mr)
		ibv_bulk_dereg_mr(ep->tx_mr);
	if (ep->bep && ibv_bulk_ep_close(ep->bep))
		BF_WARN(FI_LOG_EP_CTRL, "endpoint %u did not close\n",
			ep->name.ep_id);
	if (ep->tx_cq)
		bulk_fi_cq_detach(ep->tx_cq, ep);
	if (ep->rx_cq)
		bulk_fi_cq_detach(ep->rx_cq, ep);
	if (ep->av)
		ep->av->refs--;
	dom->refs--;
	pthread_mutex_unlock(&dom->lock);
	free(ep->rx_pool);
	free(ep->tx_pool);
	free(ep);
	return 0;
}

static int bulk_fi_ep_bind(struct fid *fid, struct fid *bfid, uint64_t flags)
{
	struct bulk_fi_ep *ep = bf_container_of(fid, struct bulk_fi_ep, ep.fid);
	struct bulk_fi_cq *cq;
	int ret = 0;

	pthread_mutex_lock(&ep->dom->lock);
	if (ep->enabled) {
		ret = -FI_EOPBADSTATE;
		goto out;
	}
	switch (bfid->fclass) {
	case FI_CLASS_CQ:
		cq = bf_container_of(bfid, struct bulk_fi_cq, cq.fid);
		if (cq->dom != ep->dom ||
		    !(flags & (FI_TRANSMIT | FI_RECV)) ||
		    (flags & ~(FI_TRANSMIT | FI_RECV |
			       FI_SELECTIVE_COMPLETION))) {
			ret = -FI_EINVAL;
			break;
		}
		ret = bulk_fi_cq_attach(cq, ep);
		if (ret)
			break;
		if (flags & FI_TRANSMIT) {
			ep->tx_cq = cq;
			ep->tx_bind_flags = flags;
		}
		if (flags & FI_RECV) {
			ep->rx_cq = cq;
			ep->rx_bind_flags = flags;
		}
		break;
	case FI_CLASS_AV:
		if (ep->av) {
			ret = -FI_EINVAL;
			break;
		}
		ep->av = bf_container_of(bfid, struct bulk_fi_av, av.fid);
		ep->av->refs++;
		break;
	case FI_CLASS_EQ:
		break;	/* no events to report: accepted, as nothing comes */
	default:
		ret = -FI_ENOSYS;
	}
out:
	pthread_mutex_unlock(&ep->dom->lock);
	return ret;
}

static int bulk_fi_ep_enable(struct bulk_fi_ep *ep)
{
	struct ibv_bulk_ep_init_attr attr = {
		.comp_mask = IBV_BULK_EP_INIT_ATTR_CQ_DEPTH,
		.cq_depth = BULK_FI_CQ_DEPTH,
	};
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned int i;

	if (ep->enabled)
		return 0;
	if (!ep->av || !ep->tx_cq || !ep->rx_cq)
		return -FI_ENOCQ;
	ep->rx_pool = aligned_alloc(page, BULK_FI_RX_SLOTS * BULK_FI_SLOT_SIZE);
	ep->tx_pool = aligned_alloc(page, BULK_FI_TX_SLOTS * BULK_FI_SLOT_SIZE);
	if (!ep->rx_pool || !ep->tx_pool)
		return -FI_ENOMEM;
	ep->bep = ibv_bulk_ep_open(ep->dom->ctx, &attr);
	if (!ep->bep)
		return bulk_fi_err(errno);
	ep->name = ep->dom->local;
	ep->name.ep_id = ibv_bulk_ep_id(ep->bep);
	ep->rx_mr = ibv_bulk_reg_mr(ep->bep, ep->rx_pool,
				    BULK_FI_RX_SLOTS * BULK_FI_SLOT_SIZE, 0);
	ep->tx_mr = ibv_bulk_reg_mr(ep->bep, ep->tx_pool,
				    BULK_FI_TX_SLOTS * BULK_FI_SLOT_SIZE, 0);
	if (!ep->rx_mr || !ep->tx_mr)
		return bulk_fi_err(errno);
	for (i = 0; i < BULK_FI_TX_SLOTS; i++)
		ep->tx_free[ep->num_tx_free++] = i;
	for (i = 0; i < BULK_FI_RX_SLOTS; i++) {
		struct bulk_fi_op *op = &ep->rx_slot_ops[i];
		struct ibv_bulk_op bop = {
			.wr_id = (uintptr_t)op,
			.opcode = IBV_BULK_OP_RECV,
			.mr = ep->rx_mr,
			.offset = (uint64_t)i * BULK_FI_SLOT_SIZE,
			.length = BULK_FI_SLOT_SIZE,
		};
		int ret;

		op->kind = BF_OP_RX_SLOT;
		op->slot = i;
		ret = ibv_bulk_post(ep->bep, &bop, 1, NULL);
		if (ret)
			return bulk_fi_err(ret);
	}
	ep->enabled = true;
	return 0;
}

static int bulk_fi_ep_control(struct fid *fid, int command, void *arg)
{
	struct bulk_fi_ep *ep = bf_container_of(fid, struct bulk_fi_ep, ep.fid);
	uint64_t *flags = arg;
	int ret = 0;

	pthread_mutex_lock(&ep->dom->lock);
	switch (command) {
	case FI_ENABLE:
		ret = bulk_fi_ep_enable(ep);
		break;
	case FI_GETOPSFLAG:
		if (!flags || !(*flags & (FI_TRANSMIT | FI_RECV)))
			ret = -FI_EINVAL;
		else
			*flags |= (*flags & FI_TRANSMIT) ? ep->tx_op_flags :
							   ep->rx_op_flags;
		break;
	case FI_SETOPSFLAG:
		if (!flags || !(*flags & (FI_TRANSMIT | FI_RECV))) {
			ret = -FI_EINVAL;
		} else if (*flags & FI_TRANSMIT) {
			if (*flags & ~(FI_TRANSMIT | BULK_FI_TX_OP_FLAGS))
				ret = -FI_EBADFLAGS;
			else
				ep->tx_op_flags = *flags & ~FI_TRANSMIT;
		} else {
			if (*flags & ~(FI_RECV | BULK_FI_RX_OP_FLAGS))
				ret = -FI_EBADFLAGS;
			else
				ep->rx_op_flags = *flags & ~FI_RECV;
		}
		break;
	default:
		ret = -FI_ENOSYS;
	}
	pthread_mutex_unlock(&ep->dom->lock);
	return ret;
}

static struct fi_ops bulk_fi_ep_fi_ops = {
	.size = sizeof(struct fi_ops),
	.close = bulk_fi_ep_close,
	.bind = bulk_fi_ep_bind,
	.control = bulk_fi_ep_control,
	.ops_open = bulk_fi_no_ops_open,
};

static int bulk_fi_getopt(fid_t fid, int level, int optname, void *optval,
			  size_t *optlen)
{
	(void)fid;
	(void)optval;
	(void)optlen;
	if (level != FI_OPT_ENDPOINT)
		return -FI_ENOPROTOOPT;
	(void)optname;
	return -FI_ENOPROTOOPT;
}

static int bulk_fi_setopt(fid_t fid, int level, int optname,
			  const void *optval, size_t optlen)
{
	(void)fid;
	(void)optname;
	(void)optval;
	(void)optlen;
	(void)level;
	return -FI_ENOPROTOOPT;
}

static struct fi_ops_ep bulk_fi_ep_ops = {
	.size = sizeof(struct fi_ops_ep),
	.cancel = bulk_fi_cancel,
	.getopt = bulk_fi_getopt,
	.setopt = bulk_fi_setopt,
};

static int bulk_fi_getname(fid_t fid, void *addr, size_t *addrlen)
{
	struct bulk_fi_ep *ep = bf_container_of(fid, struct bulk_fi_ep, ep.fid);
	size_t len = *addrlen;

	*addrlen = sizeof(ep->name);
	if (!ep->enabled)
		return -FI_EOPBADSTATE;	/* the id comes with fi_enable() */
	if (len < sizeof(ep->name))
		return -FI_ETOOSMALL;
	memcpy(addr, &ep->name, sizeof(ep->name));
	return 0;
}

static int bulk_fi_cm_no_setname(fid_t fid, void *addr, size_t addrlen)
{
	(void)fid;
	(void)addr;
	(void)addrlen;
	return -FI_ENOSYS;
}

static int bulk_fi_cm_no_getpeer(struct fid_ep *ep, void *addr, size_t *len)
{
	(void)ep;
	(void)addr;
	(void)len;
	return -FI_ENOSYS;
}

static int bulk_fi_cm_no_connect(struct fid_ep *ep, const void *addr,
				 const void *param, size_t paramlen)
{
	(void)ep;
	(void)addr;
	(void)param;
	(void)paramlen;
	return -FI_ENOSYS;
}

static int bulk_fi_cm_no_listen(struct fid_pep *pep)
{
	(void)pep;
	return -FI_ENOSYS;
}

static int bulk_fi_cm_no_accept(struct fid_ep *ep, const void *param,
				size_t paramlen)
{
	(void)ep;
	(void)param;
	(void)paramlen;
	return -FI_ENOSYS;
}

static int bulk_fi_cm_no_reject(struct fid_pep *pep, fid_t handle,
				const void *param, size_t paramlen)
{
	(void)pep;
	(void)handle;
	(void)param;
	(void)paramlen;
	return -FI_ENOSYS;
}

static int bulk_fi_cm_no_shutdown(struct fid_ep *ep, uint64_t flags)
{
	(void)ep;
	(void)flags;
	return -FI_ENOSYS;
}

static int bulk_fi_cm_no_join(struct fid_ep *ep, const void *addr,
			      uint64_t flags, struct fid_mc **mc,
			      void *context)
{
	(void)ep;
	(void)addr;
	(void)flags;
	(void)mc;
	(void)context;
	return -FI_ENOSYS;
}

static struct fi_ops_cm bulk_fi_cm_ops = {
	.size = sizeof(struct fi_ops_cm),
	.setname = bulk_fi_cm_no_setname,
	.getname = bulk_fi_getname,
	.getpeer = bulk_fi_cm_no_getpeer,
	.connect = bulk_fi_cm_no_connect,
	.listen = bulk_fi_cm_no_listen,
	.accept = bulk_fi_cm_no_accept,
	.reject = bulk_fi_cm_no_reject,
	.shutdown = bulk_fi_cm_no_shutdown,
	.join = bulk_fi_cm_no_join,
};

int bulk_fi_ep_open(struct fid_domain *domain, struct fi_info *info,
		    struct fid_ep **epp, void *context)
{
	struct bulk_fi_domain *dom =
		bf_container_of(domain, struct bulk_fi_domain, domain);
	struct bulk_fi_ep *ep;

	if (!info || !info->ep_attr || info->ep_attr->type != FI_EP_RDM)
		return -FI_EINVAL;
	if (info->caps & ~BULK_FI_CAPS)
		return -FI_EINVAL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -FI_ENOMEM;
	ep->dom = dom;
	bf_list_init(&ep->peers);
	bf_list_init(&ep->posted_msg);
	bf_list_init(&ep->posted_tag);
	bf_list_init(&ep->unexp_msg);
	bf_list_init(&ep->unexp_tag);
	bf_list_init(&ep->retry);
	bf_list_init(&ep->rndv);
	bf_list_init(&ep->rma_wait);
	ep->directed = !!(info->caps & FI_DIRECTED_RECV);
	if (info->tx_attr)
		ep->tx_op_flags = info->tx_attr->op_flags;
	if (info->rx_attr)
		ep->rx_op_flags = info->rx_attr->op_flags;
	ep->ep.fid.fclass = FI_CLASS_EP;
	ep->ep.fid.context = context;
	ep->ep.fid.ops = &bulk_fi_ep_fi_ops;
	ep->ep.ops = &bulk_fi_ep_ops;
	ep->ep.cm = &bulk_fi_cm_ops;
	ep->ep.msg = &bulk_fi_msg_ops;
	ep->ep.tagged = &bulk_fi_tagged_ops;
	ep->ep.rma = &bulk_fi_rma_ops;
	pthread_mutex_lock(&dom->lock);
	dom->refs++;
	pthread_mutex_unlock(&dom->lock);
	*epp = &ep->ep;
	return 0;
}
