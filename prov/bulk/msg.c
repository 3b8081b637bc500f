// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * FI_MSG and FI_TAGGED: sends (eager or rendezvous), receives, matching
 * against what arrived before its receive, FI_PEEK/FI_CLAIM and cancel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fi_bulk.h"

static uint64_t bulk_fi_kind_flag(bool tagged)
{
	return tagged ? FI_TAGGED : FI_MSG;
}

static void bulk_fi_tx_slot_put(struct bulk_fi_ep *ep, struct bulk_fi_op *op)
{
	if (op->slot >= 0)
		ep->tx_free[ep->num_tx_free++] = op->slot;
	op->slot = -1;
}

static fi_addr_t bulk_fi_peer_addr(struct bulk_fi_ep *ep,
				   struct bulk_fi_peer *peer)
{
	if (!ep->av)
		return FI_ADDR_NOTAVAIL;
	if (peer->av_generation != ep->av->generation ||
	    peer->fi_addr == FI_ADDR_NOTAVAIL) {
		peer->fi_addr = bulk_fi_av_reverse(ep->av, &peer->name);
		peer->av_generation = ep->av->generation;
	}
	return peer->fi_addr;
}

/*
 * The completion of a send or RMA @op at the sender: written when asked
 * for, and always for an error; @tag is the error entry's.
 */
void bulk_fi_tx_report(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
		       int status, uint64_t tag)
{
	if (!ep->tx_cq || (!op->report && !status))
		return;
	if (status)
		bulk_fi_cq_report_err(ep->tx_cq, op->context, op->flags, status,
				      0, 0, 0, tag);
	else
		bulk_fi_cq_report(ep->tx_cq, op->context, op->flags, 0, NULL,
				  0, 0, FI_ADDR_NOTAVAIL);
}

/* The end of an application's send (or of one of our FINs). */
static void bulk_fi_send_complete(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
				  int status)
{
	if (op->mr) {
		if (op->grant_id && op->peer->conn)
			ibv_bulk_revoke(op->peer->conn, op->grant_id);
		ibv_bulk_dereg_mr(op->mr);
	}
	bulk_fi_tx_slot_put(ep, op);
	if (op->kind == BF_OP_SEND)
		bulk_fi_tx_report(ep, op, status, op->tag);
	free(op);
}

/* Errors that say the peer endpoint (or its node) is gone. */
bool bulk_fi_peer_gone(int err)
{
	return err == ECONNREFUSED || err == ECONNRESET || err == ETIMEDOUT ||
	       err == EHOSTUNREACH || err == ENETUNREACH ||
	       err == ECONNABORTED;
}

/*
 * @peer is gone: rendezvous sends to it that wait for its FIN would wait
 * for ever; they end with @err (the application sees a CQ error entry
 * for each) and the endpoint carries on with its other peers.
 */
static void bulk_fi_peer_failed(struct bulk_fi_ep *ep,
				struct bulk_fi_peer *peer, int err)
{
	struct bf_list *pos, *tmp;

	bf_list_for_each_safe(pos, tmp, &ep->rndv) {
		struct bulk_fi_op *op =
			bf_container_of(pos, struct bulk_fi_op, link);

		if (op->peer != peer || !op->sent)
			continue;
		bf_list_del(&op->link);
		bulk_fi_send_complete(ep, op, err);
	}
}

void bulk_fi_send_done(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
		       int status)
{
	if (bulk_fi_peer_gone(status))
		bulk_fi_peer_failed(ep, op->peer, status);
	if (status == ENOBUFS) {
		/* The receiver had no bounce buffer: send it again. */
		bf_list_del(&op->link);
		bf_list_add_tail(&ep->retry, &op->link);
		return;
	}
	if (op->type == BULK_FI_RTS) {
		bulk_fi_tx_slot_put(ep, op);
		op->sent = true;
		op->sent_ms = bulk_fi_now_ms();
		if (!status && !op->fin)
			return;		/* the receiver READs it, then FINs */
		bf_list_del(&op->link);
		status = status ?: op->fin_status;
	}
	bulk_fi_send_complete(ep, op, status);
}

/* FIN: the receiver is done with an RTS's payload. */
void bulk_fi_fin_recv(struct bulk_fi_ep *ep, const struct bulk_fi_hdr *hdr)
{
	uint64_t id = le64toh(hdr->cookie);
	struct bf_list *pos, *tmp;

	bf_list_for_each_safe(pos, tmp, &ep->rndv) {
		struct bulk_fi_op *op =
			bf_container_of(pos, struct bulk_fi_op, link);

		if (op->id != id)
			continue;
		op->fin = true;
		op->fin_status = le32toh(hdr->status);
		if (op->sent) {
			bf_list_del(&op->link);
			bulk_fi_send_complete(ep, op, op->fin_status);
		}
		return;
	}
	BF_WARN(FI_LOG_EP_DATA, "FIN for no rendezvous\n");
}

/*
 * Fill a tx slot with @hdr (and an eager payload) and post it. With
 * @queue (our FINs, which have no payload) a message that finds no slot
 * or a full ring waits in the retry list, its place in the order taken;
 * without, it fails with -FI_EAGAIN having changed nothing.
 */
static int bulk_fi_send_msg(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
			    struct bulk_fi_hdr *hdr, const void *payload,
			    size_t len, bool queue)
{
	int ret;

	hdr->magic = htole32(BULK_FI_MAGIC);
	hdr->src = ep->name;
	hdr->seq = htole32(op->peer->tx_seq);
	op->type = hdr->type;
	if (!ep->num_tx_free)
		bulk_fi_progress(ep);
	if (!ep->num_tx_free) {
		if (!queue)
			return -FI_EAGAIN;
		op->hdr = *hdr;
		op->slot = -1;
		op->peer->tx_seq++;
		bf_list_add_tail(&ep->retry, &op->link);
		return 0;
	}
	op->slot = ep->tx_free[--ep->num_tx_free];
	memcpy(ep->tx_pool + op->slot * BULK_FI_SLOT_SIZE, hdr, sizeof(*hdr));
	if (len)
		memcpy(ep->tx_pool + op->slot * BULK_FI_SLOT_SIZE + sizeof(*hdr),
		       payload, len);
	ret = bulk_fi_post_send_op(ep, op);
	if (ret == -FI_EAGAIN && queue) {
		op->peer->tx_seq++;
		bf_list_add_tail(&ep->retry, &op->link);
		return 0;
	}
	if (ret) {
		bulk_fi_tx_slot_put(ep, op);
		return ret;
	}
	op->peer->tx_seq++;
	return 0;
}

/*
 * One of our own header-only messages (FIN, PROBE, GRANT_REQ, GRANT_ACK)
 * to @peer; @hdr has its type and fields, the rest is filled in here.
 */
void bulk_fi_send_ctrl(struct bulk_fi_ep *ep, struct bulk_fi_peer *peer,
		       struct bulk_fi_hdr *hdr)
{
	struct bulk_fi_op *op = calloc(1, sizeof(*op));
	int ret;

	if (!op) {
		BF_WARN(FI_LOG_EP_DATA, "no memory: FIN lost\n");
		return;
	}
	op->kind = BF_OP_CTRL;
	op->peer = peer;
	bf_list_init(&op->link);
	ret = bulk_fi_peer_conn(peer, ep);
	if (!ret)
		ret = bulk_fi_send_msg(ep, op, hdr, NULL, 0, true);
	if (ret) {
		BF_WARN(FI_LOG_EP_DATA, "message type %u failed: %s\n",
			hdr->type, fi_strerror(-ret));
		free(op);
		if (bulk_fi_peer_gone(-ret))
			bulk_fi_peer_failed(ep, peer, -ret);
	}
}

/*
 * Rendezvous sends wait for their receiver's FIN, which a receiver that
 * died never sends, and nothing else tells this endpoint. PROBE each
 * peer that an RTS has waited BULK_FI_PROBE_MS for, once per period; a
 * PROBE that fails ends them all (bulk_fi_send_done()).
 */
void bulk_fi_probe_peers(struct bulk_fi_ep *ep)
{
	uint64_t now = bulk_fi_now_ms();
	struct bf_list *pos, *tmp;

	bf_list_for_each_safe(pos, tmp, &ep->rndv) {
		struct bulk_fi_op *op =
			bf_container_of(pos, struct bulk_fi_op, link);
		struct bulk_fi_peer *peer = op->peer;
		struct bulk_fi_hdr hdr = { .type = BULK_FI_PROBE };

		if (!op->sent || now - op->sent_ms < BULK_FI_PROBE_MS ||
		    now - peer->probed_ms < BULK_FI_PROBE_MS)
			continue;
		peer->probed_ms = now;
		bulk_fi_send_ctrl(ep, peer, &hdr);
		return;		/* the list may have changed under it */
	}
}

/* Whether a received message @hdr from @peer matches receive @op. */
static bool bulk_fi_match(struct bulk_fi_ep *ep, const struct bulk_fi_op *op,
			  const struct bulk_fi_hdr *hdr,
			  struct bulk_fi_peer *peer)
{
	if ((op->flags & FI_TAGGED) &&
	    ((le64toh(hdr->tag) ^ op->tag) & ~op->ignore))
		return false;
	if (op->addr != FI_ADDR_UNSPEC) {
		const struct bulk_fi_name *name =
			bulk_fi_av_name(ep->av, op->addr);

		if (!name || !bulk_fi_name_eq(name, &peer->name))
			return false;
	}
	return true;
}

static void bulk_fi_recv_report(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
				size_t len, int err)
{
	if (!ep->rx_cq)
		return;
	if (err)
		bulk_fi_cq_report_err(ep->rx_cq, op->context, op->flags, err,
				      len, op->olen - len, op->data, op->tag);
	else if (op->report)
		bulk_fi_cq_report(ep->rx_cq, op->context, op->flags, len,
				  op->buf, op->data, op->tag,
				  bulk_fi_peer_addr(ep, op->peer));
}

/* The READ of a rendezvous payload is over (or failed). */
void bulk_fi_recv_done(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
		       int status)
{
	size_t len = op->len < op->olen ? op->len : op->olen;
	struct bulk_fi_hdr fin = {
		.type = BULK_FI_FIN,
		.status = htole32(status),
		.cookie = htole64(op->id),
	};

	if (op->mr)
		ibv_bulk_dereg_mr(op->mr);
	bulk_fi_send_ctrl(ep, op->peer, &fin);
	if (!status) {
		ep->stats.rx_rndv++;
		ep->stats.rx_bytes += len;
	}
	if (status) {
		len = 0;
	} else if (len < op->olen) {
		ep->stats.truncated++;
		status = FI_ETRUNC;	/* the first len bytes are there */
	}
	bulk_fi_recv_report(ep, op, len, status);
	free(op);
}

/*
 * Give message @hdr (payload at @payload for EAGER) to receive @op, which
 * left its queue. A rendezvous payload is READ into the receive's buffer
 * through the sender's grant.
 */
static void bulk_fi_give(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
			 struct bulk_fi_peer *peer,
			 const struct bulk_fi_hdr *hdr, const void *payload)
{
	size_t olen = le64toh(hdr->length);
	size_t len = op->len < olen ? op->len : olen;
	struct ibv_bulk_op bop = {};
	int ret;

	op->peer = peer;
	op->olen = olen;
	op->tag = le64toh(hdr->tag);
	op->data = le64toh(hdr->data);
	op->flags = FI_RECV | (op->flags & (FI_TAGGED | FI_MSG));
	if (hdr->flags & BULK_FI_F_DATA)
		op->flags |= FI_REMOTE_CQ_DATA;
	if (hdr->type == BULK_FI_EAGER) {
		memcpy(op->buf, payload, len);
		ep->stats.rx_eager++;
		ep->stats.rx_bytes += len;
		if (len < olen)
			ep->stats.truncated++;
		bulk_fi_recv_report(ep, op, len, len < olen ? FI_ETRUNC : 0);
		free(op);
		return;
	}
	op->kind = BF_OP_RECV;
	op->id = le64toh(hdr->cookie);
	if (!len) {
		bulk_fi_recv_done(ep, op, 0);
		return;
	}
	ret = bulk_fi_peer_conn(peer, ep);
	if (ret) {
		bulk_fi_recv_done(ep, op, -ret);
		return;
	}
	op->mr = ibv_bulk_reg_mr(ep->bep, op->buf, len, 0);
	if (!op->mr) {
		bulk_fi_recv_done(ep, op, errno);
		return;
	}
	bop.wr_id = (uintptr_t)op;
	bop.opcode = IBV_BULK_OP_READ;
	bop.conn = peer->conn;
	bop.mr = op->mr;
	bop.length = len;
	bop.remote_grant = le64toh(hdr->grant_id);
	ret = ibv_bulk_post(ep->bep, &bop, 1, NULL);
	if (ret)
		bulk_fi_recv_done(ep, op, ret);
}

/* A message in order from @peer: FIN, or one to match. */
void bulk_fi_incoming(struct bulk_fi_ep *ep, struct bulk_fi_peer *peer,
		      const struct bulk_fi_hdr *hdr, const void *payload)
{
	bool tagged = hdr->flags & BULK_FI_F_TAGGED;
	struct bf_list *posted = tagged ? &ep->posted_tag : &ep->posted_msg;
	struct bf_list *pos, *tmp;
	struct bulk_fi_unexp *u;
	size_t len;

	if (hdr->type == BULK_FI_FIN) {
		bulk_fi_fin_recv(ep, hdr);
		return;
	}
	if (hdr->type == BULK_FI_PROBE)
		return;		/* its arrival was all it had to say */
	if (hdr->type == BULK_FI_GRANT_REQ || hdr->type == BULK_FI_GRANT_ACK) {
		bulk_fi_rma_incoming(ep, peer, hdr);
		return;
	}
	if (hdr->type != BULK_FI_EAGER && hdr->type != BULK_FI_RTS) {
		BF_WARN(FI_LOG_EP_DATA, "unknown message type %u\n",
			hdr->type);
		return;
	}
	bf_list_for_each_safe(pos, tmp, posted) {
		struct bulk_fi_op *op =
			bf_container_of(pos, struct bulk_fi_op, link);

		if (bulk_fi_match(ep, op, hdr, peer)) {
			bf_list_del(&op->link);
			bulk_fi_give(ep, op, peer, hdr, payload);
			return;
		}
	}
	/* No receive yet: keep it (an eager payload is copied). */
	len = hdr->type == BULK_FI_EAGER ? le64toh(hdr->length) : 0;
	u = calloc(1, sizeof(*u));
	if (u && len) {
		u->payload = malloc(len);
		if (!u->payload) {
			free(u);
			u = NULL;
		}
	}
	if (!u) {
		BF_WARN(FI_LOG_EP_DATA, "no memory: message lost\n");
		return;
	}
	u->hdr = *hdr;
	u->peer = peer;
	if (len)
		memcpy(u->payload, payload, len);
	bf_list_add_tail(tagged ? &ep->unexp_tag : &ep->unexp_msg, &u->link);
	ep->stats.rx_unexpected++;
}

static ssize_t bulk_fi_send(struct bulk_fi_ep *ep, const void *buf,
			    size_t len, fi_addr_t dest, void *context,
			    uint64_t tag, uint64_t data, uint64_t flags,
			    bool tagged)
{
	struct bulk_fi_hdr hdr = {
		.type = BULK_FI_EAGER,
		.flags = (tagged ? BULK_FI_F_TAGGED : 0) |
			 (flags & FI_REMOTE_CQ_DATA ? BULK_FI_F_DATA : 0),
		.tag = htole64(tag),
		.data = htole64(data),
		.length = htole64(len),
	};
	const struct bulk_fi_name *name;
	struct bulk_fi_peer *peer;
	struct bulk_fi_op *op;
	ssize_t ret;

	if (len && !buf)
		return -FI_EINVAL;
	if ((flags & FI_INJECT) && len > BULK_FI_EAGER_MAX)
		return -FI_EINVAL;
	if (len > (1ull << 32))
		return -FI_EMSGSIZE;
	pthread_mutex_lock(&ep->dom->lock);
	ret = -FI_EOPBADSTATE;
	if (!ep->enabled)
		goto out;
	ret = -FI_EINVAL;
	name = bulk_fi_av_name(ep->av, dest);
	if (!name)
		goto out;
	ret = -FI_ENOMEM;
	peer = bulk_fi_peer_get(ep, name);
	op = calloc(1, sizeof(*op));
	if (!peer || !op) {
		free(op);
		goto out;
	}
	bf_list_init(&op->link);
	op->kind = BF_OP_SEND;
	op->peer = peer;
	op->context = context;
	op->tag = tag;
	op->flags = FI_SEND | bulk_fi_kind_flag(tagged);
	op->report = !(flags & FI_INJECT) &&
		     bulk_fi_op_completes(ep->tx_bind_flags, flags);
	op->slot = -1;
	ret = bulk_fi_peer_conn(peer, ep);
	if (ret && bulk_fi_peer_gone(-ret)) {
		/* Not a bad call but its outcome: a CQ error entry. */
		bulk_fi_send_complete(ep, op, -ret);
		ret = 0;
		goto out;
	}
	if (ret)
		goto err;
	if (len > BULK_FI_EAGER_MAX) {
		hdr.type = BULK_FI_RTS;
		op->id = ++ep->next_id;
		hdr.cookie = htole64(op->id);
		op->mr = ibv_bulk_reg_mr(ep->bep, (void *)buf, len,
					 IBV_BULK_ACCESS_REMOTE_READ);
		if (!op->mr) {
			ret = bulk_fi_err(errno);
			goto err;
		}
		ret = ibv_bulk_grant(peer->conn, op->mr, 0, len,
				     IBV_BULK_ACCESS_REMOTE_READ,
				     &op->grant_id);
		if (ret) {
			ret = bulk_fi_err(ret);
			goto err;
		}
		hdr.grant_id = htole64(op->grant_id);
		ret = bulk_fi_send_msg(ep, op, &hdr, NULL, 0, false);
		if (ret)
			goto err;
		bf_list_add_tail(&ep->rndv, &op->link);
		ep->stats.tx_rndv++;
	} else {
		ret = bulk_fi_send_msg(ep, op, &hdr, buf, len, false);
		if (ret)
			goto err;
		ep->stats.tx_eager++;
	}
	ep->stats.tx_bytes += len;
	ret = 0;
	goto out;
err:
	if (op->mr) {
		if (op->grant_id)
			ibv_bulk_revoke(peer->conn, op->grant_id);
		ibv_bulk_dereg_mr(op->mr);
	}
	free(op);
out:
	pthread_mutex_unlock(&ep->dom->lock);
	return ret;
}

/* FI_PEEK (and FI_CLAIM): look at the unexpected messages only. */
static ssize_t bulk_fi_peek(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
			    uint64_t flags)
{
	struct bf_list *pos, *tmp;

	bulk_fi_progress(ep);
	bf_list_for_each_safe(pos, tmp, &ep->unexp_tag) {
		struct bulk_fi_unexp *u =
			bf_container_of(pos, struct bulk_fi_unexp, link);

		if (u->claim_context || !bulk_fi_match(ep, op, &u->hdr, u->peer))
			continue;
		if (flags & FI_CLAIM)
			u->claim_context = op->context;
		bulk_fi_cq_report(ep->rx_cq, op->context,
				  FI_RECV | FI_TAGGED |
				  (u->hdr.flags & BULK_FI_F_DATA ?
				   FI_REMOTE_CQ_DATA : 0),
				  le64toh(u->hdr.length), NULL,
				  le64toh(u->hdr.data), le64toh(u->hdr.tag),
				  bulk_fi_peer_addr(ep, u->peer));
		free(op);
		return 0;
	}
	bulk_fi_cq_report_err(ep->rx_cq, op->context, FI_RECV | FI_TAGGED,
			      FI_ENOMSG, 0, 0, 0, op->tag);
	free(op);
	return 0;
}

static ssize_t bulk_fi_recv(struct bulk_fi_ep *ep, void *buf, size_t len,
			    fi_addr_t src, void *context, uint64_t tag,
			    uint64_t ignore, uint64_t flags, bool tagged)
{
	struct bf_list *unexp = tagged ? &ep->unexp_tag : &ep->unexp_msg;
	struct bf_list *pos, *tmp;
	struct bulk_fi_op *op;
	ssize_t ret = 0;

	if (len && !buf && !(flags & FI_PEEK))
		return -FI_EINVAL;
	if ((flags & (FI_PEEK | FI_CLAIM)) && !tagged)
		return -FI_EBADFLAGS;
	if (flags & (FI_MULTI_RECV | FI_DISCARD))
		return -FI_EBADFLAGS;
	/* Without FI_DIRECTED_RECV the source is not looked at. */
	if (!ep->directed)
		src = FI_ADDR_UNSPEC;
	op = calloc(1, sizeof(*op));
	if (!op)
		return -FI_ENOMEM;
	bf_list_init(&op->link);
	op->kind = BF_OP_RECV;
	op->slot = -1;
	op->context = context;
	op->buf = buf;
	op->len = len;
	op->tag = tag;
	op->ignore = ignore;
	op->addr = src;
	op->flags = FI_RECV | bulk_fi_kind_flag(tagged);
	op->report = bulk_fi_op_completes(ep->rx_bind_flags, flags);

	pthread_mutex_lock(&ep->dom->lock);
	if (!ep->enabled || !ep->rx_cq) {
		free(op);
		ret = -FI_EOPBADSTATE;
		goto out;
	}
	if (src != FI_ADDR_UNSPEC && !bulk_fi_av_name(ep->av, src)) {
		free(op);
		ret = -FI_EINVAL;
		goto out;
	}
	if (flags & FI_PEEK) {
		ret = bulk_fi_peek(ep, op, flags);
		goto out;
	}
	bf_list_for_each_safe(pos, tmp, unexp) {
		struct bulk_fi_unexp *u =
			bf_container_of(pos, struct bulk_fi_unexp, link);

		if (flags & FI_CLAIM) {
			if (u->claim_context != context)
				continue;
		} else if (u->claim_context ||
			   !bulk_fi_match(ep, op, &u->hdr, u->peer)) {
			continue;
		}
		bf_list_del(&u->link);
		bulk_fi_give(ep, op, u->peer, &u->hdr, u->payload);
		free(u->payload);
		free(u);
		goto out;
	}
	if (flags & FI_CLAIM) {
		free(op);
		ret = -FI_EINVAL;	/* nothing was claimed with it */
		goto out;
	}
	bf_list_add_tail(tagged ? &ep->posted_tag : &ep->posted_msg,
			 &op->link);
out:
	pthread_mutex_unlock(&ep->dom->lock);
	return ret;
}

/* fi_cancel(): a receive still waiting completes with FI_ECANCELED. */
ssize_t bulk_fi_cancel(fid_t fid, void *context)
{
	struct bulk_fi_ep *ep = bf_container_of(fid, struct bulk_fi_ep, ep.fid);
	struct bf_list *lists[] = { &ep->posted_tag, &ep->posted_msg };
	struct bf_list *pos, *tmp;
	unsigned int i;

	pthread_mutex_lock(&ep->dom->lock);
	for (i = 0; i < 2; i++) {
		bf_list_for_each_safe(pos, tmp, lists[i]) {
			struct bulk_fi_op *op =
				bf_container_of(pos, struct bulk_fi_op, link);

			if (op->context != context)
				continue;
			bf_list_del(&op->link);
			bulk_fi_cq_report_err(ep->rx_cq, context, op->flags,
					      FI_ECANCELED, 0, 0, 0, op->tag);
			free(op);
			pthread_mutex_unlock(&ep->dom->lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&ep->dom->lock);
	return -FI_ENOENT;
}

/* The endpoint closes: what waits in its queues goes. */
void bulk_fi_ep_flush(struct bulk_fi_ep *ep)
{
	struct bf_list *lists[] = { &ep->posted_tag, &ep->posted_msg,
				    &ep->retry, &ep->rndv };
	struct bf_list *pos, *tmp;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		bf_list_for_each_safe(pos, tmp, lists[i]) {
			struct bulk_fi_op *op =
				bf_container_of(pos, struct bulk_fi_op, link);

			bf_list_del(&op->link);
			if (op->mr) {
				if (op->grant_id && op->peer && op->peer->conn)
					ibv_bulk_revoke(op->peer->conn,
							op->grant_id);
				ibv_bulk_dereg_mr(op->mr);
			}
			free(op);
		}
	}
	lists[0] = &ep->unexp_tag;
	lists[1] = &ep->unexp_msg;
	for (i = 0; i < 2; i++) {
		bf_list_for_each_safe(pos, tmp, lists[i]) {
			struct bulk_fi_unexp *u =
				bf_container_of(pos, struct bulk_fi_unexp, link);

			free(u->payload);
			free(u);
		}
	}
}

/* The entry points: msg and tagged, each in its calling conventions. */
static ssize_t bf_recv(struct fid_ep *ep, void *buf, size_t len, void *desc,
		       fi_addr_t src, void *context)
{
	struct bulk_fi_ep *e = bulk_fi_ep_of(ep);

	(void)desc;
	return bulk_fi_recv(e, buf, len, src, context, 0, 0, e->rx_op_flags,
			    false);
}

static ssize_t bf_recvv(struct fid_ep *ep, const struct iovec *iov,
			void **desc, size_t count, fi_addr_t src,
			void *context)
{
	if (count > 1)
		return -FI_EINVAL;
	return bf_recv(ep, count ? iov[0].iov_base : NULL,
		       count ? iov[0].iov_len : 0, desc ? desc[0] : NULL, src,
		       context);
}

static ssize_t bf_recvmsg(struct fid_ep *ep, const struct fi_msg *msg,
			  uint64_t flags)
{
	if (msg->iov_count > 1)
		return -FI_EINVAL;
	return bulk_fi_recv(bulk_fi_ep_of(ep),
			    msg->iov_count ? msg->msg_iov[0].iov_base : NULL,
			    msg->iov_count ? msg->msg_iov[0].iov_len : 0,
			    msg->addr, msg->context, 0, 0, flags, false);
}

static ssize_t bf_send(struct fid_ep *ep, const void *buf, size_t len,
		       void *desc, fi_addr_t dest, void *context)
{
	struct bulk_fi_ep *e = bulk_fi_ep_of(ep);

	(void)desc;
	return bulk_fi_send(e, buf, len, dest, context, 0, 0, e->tx_op_flags,
			    false);
}

static ssize_t bf_sendv(struct fid_ep *ep, const struct iovec *iov,
			void **desc, size_t count, fi_addr_t dest,
			void *context)
{
	if (count > 1)
		return -FI_EINVAL;
	return bf_send(ep, count ? iov[0].iov_base : NULL,
		       count ? iov[0].iov_len : 0, desc ? desc[0] : NULL, dest,
		       context);
}

static ssize_t bf_sendmsg(struct fid_ep *ep, const struct fi_msg *msg,
			  uint64_t flags)
{
	if (msg->iov_count > 1)
		return -FI_EINVAL;
	return bulk_fi_send(bulk_fi_ep_of(ep),
			    msg->iov_count ? msg->msg_iov[0].iov_base : NULL,
			    msg->iov_count ? msg->msg_iov[0].iov_len : 0,
			    msg->addr, msg->context, 0, msg->data, flags,
			    false);
}

static ssize_t bf_inject(struct fid_ep *ep, const void *buf, size_t len,
			 fi_addr_t dest)
{
	return bulk_fi_send(bulk_fi_ep_of(ep), buf, len, dest, NULL, 0, 0,
			    FI_INJECT, false);
}

static ssize_t bf_senddata(struct fid_ep *ep, const void *buf, size_t len,
			   void *desc, uint64_t data, fi_addr_t dest,
			   void *context)
{
	struct bulk_fi_ep *e = bulk_fi_ep_of(ep);

	(void)desc;
	return bulk_fi_send(e, buf, len, dest, context, 0, data,
			    e->tx_op_flags | FI_REMOTE_CQ_DATA, false);
}

static ssize_t bf_injectdata(struct fid_ep *ep, const void *buf, size_t len,
			     uint64_t data, fi_addr_t dest)
{
	return bulk_fi_send(bulk_fi_ep_of(ep), buf, len, dest, NULL, 0, data,
			    FI_INJECT | FI_REMOTE_CQ_DATA, false);
}

struct fi_ops_msg bulk_fi_msg_ops = {
	.size = sizeof(struct fi_ops_msg),
	.recv = bf_recv,
	.recvv = bf_recvv,
	.recvmsg = bf_recvmsg,
	.send = bf_send,
	.sendv = bf_sendv,
	.sendmsg = bf_sendmsg,
	.inject = bf_inject,
	.senddata = bf_senddata,
	.injectdata = bf_injectdata,
};

static ssize_t bf_trecv(struct fid_ep *ep, void *buf, size_t len, void *desc,
			fi_addr_t src, uint64_t tag, uint64_t ignore,
			void *context)
{
	struct bulk_fi_ep *e = bulk_fi_ep_of(ep);

	(void)desc;
	return bulk_fi_recv(e, buf, len, src, context, tag, ignore,
			    e->rx_op_flags, true);
}

static ssize_t bf_trecvv(struct fid_ep *ep, const struct iovec *iov,
			 void **desc, size_t count, fi_addr_t src,
			 uint64_t tag, uint64_t ignore, void *context)
{
	if (count > 1)
		return -FI_EINVAL;
	return bf_trecv(ep, count ? iov[0].iov_base : NULL,
			count ? iov[0].iov_len : 0, desc ? desc[0] : NULL, src,
			tag, ignore, context);
}

static ssize_t bf_trecvmsg(struct fid_ep *ep, const struct fi_msg_tagged *msg,
			   uint64_t flags)
{
	if (msg->iov_count > 1)
		return -FI_EINVAL;
	return bulk_fi_recv(bulk_fi_ep_of(ep),
			    msg->iov_count ? msg->msg_iov[0].iov_base : NULL,
			    msg->iov_count ? msg->msg_iov[0].iov_len : 0,
			    msg->addr, msg->context, msg->tag, msg->ignore,
			    flags, true);
}

static ssize_t bf_tsend(struct fid_ep *ep, const void *buf, size_t len,
			void *desc, fi_addr_t dest, uint64_t tag,
			void *context)
{
	struct bulk_fi_ep *e = bulk_fi_ep_of(ep);

	(void)desc;
	return bulk_fi_send(e, buf, len, dest, context, tag, 0,
			    e->tx_op_flags, true);
}

static ssize_t bf_tsendv(struct fid_ep *ep, const struct iovec *iov,
			 void **desc, size_t count, fi_addr_t dest,
			 uint64_t tag, void *context)
{
	if (count > 1)
		return -FI_EINVAL;
	return bf_tsend(ep, count ? iov[0].iov_base : NULL,
			count ? iov[0].iov_len : 0, desc ? desc[0] : NULL,
			dest, tag, context);
}

static ssize_t bf_tsendmsg(struct fid_ep *ep, const struct fi_msg_tagged *msg,
			   uint64_t flags)
{
	if (msg->iov_count > 1)
		return -FI_EINVAL;
	return bulk_fi_send(bulk_fi_ep_of(ep),
			    msg->iov_count ? msg->msg_iov[0].iov_base : NULL,
			    msg->iov_count ? msg->msg_iov[0].iov_len : 0,
			    msg->addr, msg->context, msg->tag, msg->data,
			    flags, true);
}

static ssize_t bf_tinject(struct fid_ep *ep, const void *buf, size_t len,
			  fi_addr_t dest, uint64_t tag)
{
	return bulk_fi_send(bulk_fi_ep_of(ep), buf, len, dest, NULL, tag, 0,
			    FI_INJECT, true);
}

static ssize_t bf_tsenddata(struct fid_ep *ep, const void *buf, size_t len,
			    void *desc, uint64_t data, fi_addr_t dest,
			    uint64_t tag, void *context)
{
	struct bulk_fi_ep *e = bulk_fi_ep_of(ep);

	(void)desc;
	return bulk_fi_send(e, buf, len, dest, context, tag, data,
			    e->tx_op_flags | FI_REMOTE_CQ_DATA, true);
}

static ssize_t bf_tinjectdata(struct fid_ep *ep, const void *buf, size_t len,
			      uint64_t data, fi_addr_t dest, uint64_t tag)
{
	return bulk_fi_send(bulk_fi_ep_of(ep), buf, len, dest, NULL, tag, data,
			    FI_INJECT | FI_REMOTE_CQ_DATA, true);
}

struct fi_ops_tagged bulk_fi_tagged_ops = {
	.size = sizeof(struct fi_ops_tagged),
	.recv = bf_trecv,
	.recvv = bf_trecvv,
	.recvmsg = bf_trecvmsg,
	.send = bf_tsend,
	.sendv = bf_tsendv,
	.sendmsg = bf_tsendmsg,
	.inject = bf_tinject,
	.senddata = bf_tsenddata,
	.injectdata = bf_tinjectdata,
};
