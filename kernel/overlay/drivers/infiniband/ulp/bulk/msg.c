// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk control messages: sending them through the peer's queue and
 * dispatching the ones that arrive.
 *
 * The other node's kernel is trusted as much as the grant model trusts it
 * (it checks its own endpoints' operations), but a message is still only
 * bytes from the wire: every field is checked before use, and a message
 * that cannot be understood costs the sender its connection, never the
 * node anything else.
 */

#include <linux/slab.h>
#include "bulk.h"

struct bulk_msg_tx *bulk_msg_alloc(u16 type, gfp_t gfp)
{
	struct bulk_msg_tx *mtx = kzalloc(sizeof(*mtx), gfp);

	if (mtx)
		mtx->msg.type = cpu_to_le16(type);
	return mtx;
}

/* The message was sent or dropped: unmap and hand it back. */
void bulk_msg_done(struct bulk_msg_tx *mtx)
{
	if (mtx->ibdev)
		ib_dma_unmap_single(mtx->ibdev, mtx->dma, sizeof(mtx->msg),
				    DMA_TO_DEVICE);
	mtx->ibdev = NULL;
	if (mtx->done)
		mtx->done(mtx);
	else
		kfree(mtx);
}

static void bulk_msg_sent(struct ib_cq *cq, struct ib_wc *wc)
{
	struct bulk_msg_tx *mtx = container_of(wc->wr_cqe, struct bulk_msg_tx,
					       cqe);
	struct bulk_qp *bq = cq->cq_context;

	/* A node that stopped answering (see keepalive.c) times out. */
	if (wc->status == IB_WC_SUCCESS)
		bulk_peer_progress(bq->peer);
	else if (wc->status != IB_WC_WR_FLUSH_ERR)
		bulk_peer_kill(bq->peer,
			       wc->status == IB_WC_RETRY_EXC_ERR ||
			       wc->status == IB_WC_RNR_RETRY_EXC_ERR ?
			       -ETIMEDOUT : -ECONNRESET);
	bulk_msg_done(mtx);
	bulk_qp_credit(bq);
}

/*
 * Queue @mtx for the node. A message for a dead peer is dropped (its
 * request, if any, fails with the peer's error). One for a peer still
 * connecting waits for it: the accepting side may take the first
 * messages, and answer them, before its CM reports the connection
 * established, and an answer dropped then left its requester waiting
 * until it cut the connection (found by the load test).
 */
static void bulk_msg_queue(struct bulk_peer *peer, struct bulk_msg_tx *mtx)
{
	mtx->cqe.done = bulk_msg_sent;
	spin_lock(&peer->lock);
	if (peer->state == BULK_PEER_DEAD) {
		spin_unlock(&peer->lock);
		bulk_msg_done(mtx);
		return;
	}
	list_add_tail(&mtx->list, &peer->msgq);
	spin_unlock(&peer->lock);
	bulk_peer_kick(peer);
}

void bulk_msg_send(struct bulk_peer *peer, struct bulk_msg_tx *mtx)
{
	struct ib_device *ibdev = peer->dev->ibdev;

	mtx->dma = ib_dma_map_single(ibdev, &mtx->msg, sizeof(mtx->msg),
				     DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, mtx->dma)) {
		bulk_msg_done(mtx);
		bulk_peer_kill(peer, -ENOMEM);
		return;
	}
	mtx->ibdev = ibdev;
	bulk_msg_queue(peer, mtx);
}

/*
 * Queue the work request @mtx->wr (a memory registration) in order with
 * the messages: one posted before a message is executed before it. Its
 * completion, or its drop with a dead peer, ends in @mtx->done.
 */
void bulk_msg_send_wr(struct bulk_peer *peer, struct bulk_msg_tx *mtx)
{
	mtx->wr->wr_cqe = &mtx->cqe;
	mtx->wr->send_flags |= IB_SEND_SIGNALED;
	bulk_msg_queue(peer, mtx);
}

/* Send the messages on @msgs, in order (they leave the list). */
void bulk_msg_send_all(struct bulk_peer *peer, struct list_head *msgs)
{
	struct bulk_msg_tx *mtx, *tmp;

	list_for_each_entry_safe(mtx, tmp, msgs, list) {
		list_del(&mtx->list);
		bulk_msg_send(peer, mtx);
	}
}

/* Free the messages on @msgs, never sent. */
void bulk_msg_free_all(struct list_head *msgs)
{
	struct bulk_msg_tx *mtx, *tmp;

	list_for_each_entry_safe(mtx, tmp, msgs, list) {
		list_del(&mtx->list);
		kfree(mtx);
	}
}

/* Answer request @seq; @status is 0 or a positive errno. */
void bulk_msg_ack(struct bulk_peer *peer, u32 seq, int status, u64 byte_len)
{
	struct bulk_msg_tx *mtx = bulk_msg_alloc(BULK_MSG_ACK, GFP_KERNEL);

	if (!mtx) {
		/* An answer owed and lost would hang the other side. */
		bulk_peer_kill(peer, -ENOMEM);
		return;
	}
	mtx->msg.seq = cpu_to_le32(seq);
	mtx->msg.status = cpu_to_le32(status);
	mtx->msg.length = cpu_to_le64(byte_len);
	bulk_msg_send(peer, mtx);
}

static void bulk_ack_recv(struct bulk_peer *peer, const struct bulk_msg *msg)
{
	u32 status = le32_to_cpu(msg->status);
	struct bulk_req *req;

	req = bulk_peer_req_take(peer, le32_to_cpu(msg->seq));
	if (!req) {
		/* Never asked, or already answered. */
		bulk_peer_kill(peer, -EPROTO);
		return;
	}
	if (status > MAX_ERRNO)
		status = EPROTO;
	req->acked(req, -(int)status, le64_to_cpu(msg->length));
}

static void bulk_ep_check_recv(struct bulk_peer *peer,
			       const struct bulk_msg *msg)
{
	struct ib_bulk_ep *ep = bulk_ep_lookup(le32_to_cpu(msg->dst_ep));
	int status = ECONNREFUSED;

	if (ep) {
		if (ep->dev == peer->dev)
			status = 0;
		bulk_ep_put(ep);
	}
	bulk_msg_ack(peer, le32_to_cpu(msg->seq), status, 0);
}

void bulk_msg_recv(struct bulk_qp *bq, const struct bulk_msg *msg, u32 len)
{
	struct bulk_peer *peer = bq->peer;

	if (len < sizeof(*msg)) {
		bulk_peer_kill(peer, -EPROTO);
		return;
	}
	switch (le16_to_cpu(msg->type)) {
	case BULK_MSG_ACK:
		bulk_ack_recv(peer, msg);
		break;
	case BULK_MSG_EP_CHECK:
		bulk_ep_check_recv(peer, msg);
		break;
	case BULK_MSG_GRANT:
		bulk_rgrant_recv(peer, msg);
		break;
	case BULK_MSG_GRANT_KEY:
		bulk_rgrant_key_recv(peer, msg);
		break;
	case BULK_MSG_REVOKE:
		bulk_rgrant_revoke_recv(peer, msg);
		break;
	case BULK_MSG_RTS:
	case BULK_MSG_RTS_PUSH:
		bulk_send_rts_recv(peer, msg);
		break;
	case BULK_MSG_CTS:
		bulk_send_cts_recv(peer, msg);
		break;
	case BULK_MSG_SEND_KEY:
		bulk_send_key_recv(peer, msg);
		break;
	case BULK_MSG_IMM:
		bulk_imm_recv(peer, msg);
		break;
	case BULK_MSG_PING:
		/* Its transport ACK was the point. */
		break;
	default:
		/* A newer node's request: say we cannot do it. */
		bulk_msg_ack(peer, le32_to_cpu(msg->seq), EOPNOTSUPP, 0);
		break;
	}
}
