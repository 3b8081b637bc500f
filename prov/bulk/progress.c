// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Progress: the endpoint's rdma-bulk completions, its bounce buffers and
 * the order of what each peer sent. Runs under the domain's lock whenever
 * the application reads a CQ the endpoint is bound to.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fi_bulk.h"

struct bulk_fi_peer *bulk_fi_peer_get(struct bulk_fi_ep *ep,
				      const struct bulk_fi_name *name)
{
	struct bulk_fi_peer *peer;
	struct bf_list *pos, *tmp;

	bf_list_for_each_safe(pos, tmp, &ep->peers) {
		peer = bf_container_of(pos, struct bulk_fi_peer, link);
		if (bulk_fi_name_eq(&peer->name, name))
			return peer;
	}
	peer = calloc(1, sizeof(*peer));
	if (!peer)
		return NULL;
	peer->name = *name;
	peer->fi_addr = FI_ADDR_NOTAVAIL;
	peer->av_generation = UINT64_MAX;
	bf_list_init(&peer->ooo);
	bf_list_init(&peer->rkeys);
	bf_list_add_tail(&ep->peers, &peer->link);
	return peer;
}

/* The handle on @peer's endpoint, made when first needed. */
int bulk_fi_peer_conn(struct bulk_fi_peer *peer, struct bulk_fi_ep *ep)
{
	if (peer->conn)
		return 0;
	peer->conn = ibv_bulk_connect(ep->bep,
				      (const struct sockaddr *)&peer->name.node,
				      peer->name.ep_id);
	return peer->conn ? 0 : bulk_fi_err(errno);
}

void bulk_fi_peers_free(struct bulk_fi_ep *ep)
{
	struct bf_list *pos, *tmp, *p2, *t2;

	bf_list_for_each_safe(pos, tmp, &ep->peers) {
		struct bulk_fi_peer *peer =
			bf_container_of(pos, struct bulk_fi_peer, link);

		bf_list_for_each_safe(p2, t2, &peer->ooo)
			free(bf_container_of(p2, struct bulk_fi_ooo, link));
		bf_list_for_each_safe(p2, t2, &peer->rkeys)
			free(bf_container_of(p2, struct bulk_fi_rkey, link));
		if (peer->conn)
			ibv_bulk_disconnect(peer->conn);
		free(peer);
	}
	bf_list_init(&ep->peers);
}

static int bulk_fi_post_rx_slot(struct bulk_fi_ep *ep, int slot)
{
	struct ibv_bulk_op op = {
		.wr_id = (uintptr_t)&ep->rx_slot_ops[slot],
		.opcode = IBV_BULK_OP_RECV,
		.mr = ep->rx_mr,
		.offset = (uint64_t)slot * BULK_FI_SLOT_SIZE,
		.length = BULK_FI_SLOT_SIZE,
	};

	return ibv_bulk_post(ep->bep, &op, 1, NULL);
}

/*
 * Post a SEND that has its header (and payload) in its tx slot. Returns
 * -FI_EAGAIN when the endpoint's completion ring is full.
 */
int bulk_fi_post_send_op(struct bulk_fi_ep *ep, struct bulk_fi_op *op)
{
	const struct bulk_fi_hdr *hdr =
		(const void *)(ep->tx_pool + op->slot * BULK_FI_SLOT_SIZE);
	struct ibv_bulk_op bop = {
		.wr_id = (uintptr_t)op,
		.opcode = IBV_BULK_OP_SEND,
		.conn = op->peer->conn,
		.mr = ep->tx_mr,
		.offset = (uint64_t)op->slot * BULK_FI_SLOT_SIZE,
		.length = sizeof(*hdr) +
			  (hdr->type == BULK_FI_EAGER ? le64toh(hdr->length) :
							0),
	};
	int ret = ibv_bulk_post(ep->bep, &bop, 1, NULL);

	if (ret == ENOSPC || ret == EAGAIN)
		return -FI_EAGAIN;
	return ret ? -ret : 0;
}

/* Put @msg (header and payload) of @peer in order, then match it. */
static void bulk_fi_deliver(struct bulk_fi_ep *ep, struct bulk_fi_peer *peer,
			    const struct bulk_fi_hdr *hdr, size_t len)
{
	uint32_t seq = le32toh(hdr->seq);
	struct bf_list *pos, *tmp;
	bool again;

	if (seq != peer->rx_seq) {
		struct bulk_fi_ooo *o;

		if ((int32_t)(seq - peer->rx_seq) < 0) {
			BF_WARN(FI_LOG_EP_DATA, "stale message seq %u\n", seq);
			return;
		}
		o = malloc(sizeof(*o) + len);
		if (!o) {
			BF_WARN(FI_LOG_EP_DATA, "no memory: message lost\n");
			return;
		}
		o->len = len;
		memcpy(o->msg, hdr, len);
		bf_list_add_tail(&peer->ooo, &o->link);
		ep->stats.rx_ooo++;
		return;
	}
	bulk_fi_incoming(ep, peer, hdr, hdr + 1);
	peer->rx_seq++;
	do {
		again = false;
		bf_list_for_each_safe(pos, tmp, &peer->ooo) {
			struct bulk_fi_ooo *o =
				bf_container_of(pos, struct bulk_fi_ooo, link);
			const struct bulk_fi_hdr *h = (const void *)o->msg;

			if (le32toh(h->seq) != peer->rx_seq)
				continue;
			bf_list_del(&o->link);
			bulk_fi_incoming(ep, peer, h, h + 1);
			free(o);
			peer->rx_seq++;
			again = true;
			break;
		}
	} while (again);
}

/* A bounce buffer got a message (or was cancelled). */
static void bulk_fi_rx_slot_done(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
				 const struct ibv_bulk_wc *wc)
{
	const struct bulk_fi_hdr *hdr =
		(const void *)(ep->rx_pool + op->slot * BULK_FI_SLOT_SIZE);
	struct bulk_fi_peer *peer;

	if (wc->status == ECANCELED || wc->status == ENODEV)
		return;		/* the endpoint is going away */
	if (wc->status) {
		BF_WARN(FI_LOG_EP_DATA, "receive failed: %s\n",
			strerror(wc->status));
		goto repost;
	}
	if (wc->byte_len < sizeof(*hdr) || le32toh(hdr->magic) != BULK_FI_MAGIC ||
	    hdr->src.ep_id != htole32(wc->src_ep) ||
	    bulk_fi_name_check(&hdr->src, sizeof(hdr->src)) ||
	    (hdr->type == BULK_FI_EAGER &&
	     wc->byte_len != sizeof(*hdr) + le64toh(hdr->length))) {
		BF_WARN(FI_LOG_EP_DATA, "malformed message from endpoint %u\n",
			wc->src_ep);
		goto repost;
	}
	peer = bulk_fi_peer_get(ep, &hdr->src);
	if (!peer)
		BF_WARN(FI_LOG_EP_DATA, "no memory: message lost\n");
	else
		bulk_fi_deliver(ep, peer, hdr, wc->byte_len);
repost:
	if (bulk_fi_post_rx_slot(ep, op->slot))
		ep->rx_repost[ep->num_rx_repost++] = op->slot;
}

static void bulk_fi_retry(struct bulk_fi_ep *ep)
{
	struct bf_list *pos, *tmp;

	bf_list_for_each_safe(pos, tmp, &ep->retry) {
		struct bulk_fi_op *op =
			bf_container_of(pos, struct bulk_fi_op, link);
		int ret;

		if (op->slot < 0) {
			if (!ep->num_tx_free)
				break;
			op->slot = ep->tx_free[--ep->num_tx_free];
			memcpy(ep->tx_pool + op->slot * BULK_FI_SLOT_SIZE,
			       &op->hdr, sizeof(op->hdr));
		}
		bf_list_del(&op->link);
		ret = bulk_fi_post_send_op(ep, op);
		if (ret == -FI_EAGAIN) {
			bf_list_add_tail(&ep->retry, &op->link);
			break;
		}
		if (op->type == BULK_FI_RTS)
			bf_list_add_tail(&ep->rndv, &op->link);
		if (ret)
			bulk_fi_send_done(ep, op, -ret);
		else
			ep->stats.tx_retries++;
	}
}

void bulk_fi_progress(struct bulk_fi_ep *ep)
{
	struct ibv_bulk_wc wc[BULK_FI_POLL_BATCH];
	int i, n;

	if (!ep->bep)
		return;
	do {
		n = ibv_bulk_poll(ep->bep, wc, BULK_FI_POLL_BATCH);
		for (i = 0; i < n; i++) {
			struct bulk_fi_op *op =
				(void *)(uintptr_t)wc[i].wr_id;

			switch (op->kind) {
			case BF_OP_RX_SLOT:
				bulk_fi_rx_slot_done(ep, op, &wc[i]);
				break;
			case BF_OP_SEND:
			case BF_OP_CTRL:
				bulk_fi_send_done(ep, op, wc[i].status);
				break;
			case BF_OP_RECV:
				bulk_fi_recv_done(ep, op, wc[i].status);
				break;
			case BF_OP_RMA:
				bulk_fi_rma_done(ep, op, wc[i].status);
				break;
			}
		}
	} while (n == BULK_FI_POLL_BATCH);
	/* Bounce buffers the full completion ring refused, again. */
	while (ep->num_rx_repost &&
	       !bulk_fi_post_rx_slot(ep, ep->rx_repost[ep->num_rx_repost - 1]))
		ep->num_rx_repost--;
	bulk_fi_retry(ep);
	if (!bf_list_empty(&ep->rndv))
		bulk_fi_probe_peers(ep);
}
