// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk QPs: the RC QP of a peer with its CQ and receive buffers, and the
 * send engine that feeds it.
 *
 * Every endpoint of the node shares the QP, so the engine never posts more
 * than the send queue holds: control messages and the work requests of
 * operations wait in the peer's queues and go out as completions free
 * slots, messages first. Any error completion other than a flush means the
 * QP is in the error state: the peer dies and a new one is built on the
 * next connect.
 */

#include <linux/slab.h>
#include "bulk.h"

/* One receive buffer: a control message from the node. */
struct bulk_rx {
	struct ib_cqe cqe;
	struct bulk_qp *bq;
	u64 dma;
	struct bulk_msg msg;
};

/* QPs alive on the node, waited for when the module goes. */
atomic_t bulk_qps_live = ATOMIC_INIT(0);

/* Count a QP gone, before its peer (and so maybe its device) is put. */
static void bulk_qp_gone(struct bulk_qp *bq)
{
	struct bulk_dev *dev = bq->peer->dev;

	if (atomic_dec_and_test(&dev->num_qps))
		wake_up_var(&dev->num_qps);
	if (atomic_dec_and_test(&bulk_qps_live))
		wake_up_var(&bulk_qps_live);
}

static void bulk_qp_destroy_work(struct work_struct *work);
static void bulk_qp_fatal_work(struct work_struct *work);

/**
 * bulk_qp_alloc - a QP slot for @peer on a CM id
 * @peer: the peer, referenced by the QP
 * @id: the passive side's id, or NULL to create one for connecting
 */
struct bulk_qp *bulk_qp_alloc(struct bulk_peer *peer, struct rdma_cm_id *id)
{
	struct bulk_qp *bq;

	bq = kzalloc(sizeof(*bq), GFP_KERNEL);
	if (!bq)
		return ERR_PTR(-ENOMEM);
	mutex_init(&bq->lock);
	INIT_WORK(&bq->destroy_work, bulk_qp_destroy_work);
	INIT_WORK(&bq->fatal_work, bulk_qp_fatal_work);
	if (!id) {
		id = rdma_create_id(&init_net, bulk_cm_handler, bq,
				    RDMA_PS_TCP, IB_QPT_RC);
		if (IS_ERR(id)) {
			kfree(bq);
			return ERR_CAST(id);
		}
	}
	id->context = bq;
	bq->cm_id = id;
	bulk_peer_get(peer);
	bq->peer = peer;
	atomic_inc(&peer->dev->num_qps);
	atomic_inc(&bulk_qps_live);
	return bq;
}

static int bulk_rx_post(struct bulk_qp *bq, struct bulk_rx *rx)
{
	struct ib_sge sge = {
		.addr = rx->dma,
		.length = sizeof(rx->msg),
		.lkey = bq->peer->dev->pd->local_dma_lkey,
	};
	struct ib_recv_wr wr = {
		.wr_cqe = &rx->cqe,
		.sg_list = &sge,
		.num_sge = 1,
	};

	ib_dma_sync_single_for_device(bq->cm_id->device, rx->dma,
				      sizeof(rx->msg), DMA_FROM_DEVICE);
	return ib_post_recv(bq->cm_id->qp, &wr, NULL);
}

static void bulk_rx_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct bulk_rx *rx = container_of(wc->wr_cqe, struct bulk_rx, cqe);
	struct bulk_qp *bq = rx->bq;

	if (wc->status != IB_WC_SUCCESS) {
		if (wc->status != IB_WC_WR_FLUSH_ERR)
			bulk_peer_kill(bq->peer, -ECONNRESET);
		return;
	}
	bulk_peer_progress(bq->peer);
	ib_dma_sync_single_for_cpu(cq->device, rx->dma, sizeof(rx->msg),
				   DMA_FROM_DEVICE);
	bulk_msg_recv(bq, &rx->msg, wc->byte_len);
	if (bulk_rx_post(bq, rx))
		bulk_peer_kill(bq->peer, -ECONNRESET);
}

static void bulk_qp_event(struct ib_event *event, void *context)
{
	struct bulk_qp *bq = context;

	if (event->event == IB_EVENT_COMM_EST) {
		/* A message arrived before the RTU: the CM must know. */
		rdma_notify(bq->cm_id, event->event);
		return;
	}
	if (event->event == IB_EVENT_QP_FATAL ||
	    event->event == IB_EVENT_QP_ACCESS_ERR ||
	    event->event == IB_EVENT_QP_REQ_ERR) {
		pr_info("ib_bulk: %s: QP %u: %s\n",
			dev_name(&bq->cm_id->device->dev), bq->cm_id->qp->qp_num,
			ib_event_msg(event->event));
		/* Event handlers may run in atomic context; the kill sleeps. */
		queue_work(bulk_wq, &bq->fatal_work);
	}
}

static void bulk_qp_fatal_work(struct work_struct *work)
{
	struct bulk_qp *bq = container_of(work, struct bulk_qp, fatal_work);

	bulk_peer_kill(bq->peer, -ECONNRESET);
}

/*
 * iWARP completes an RDMA WRITE once the data is handed to the transport,
 * not once the target placed it; RDMAP processes a later READ request only
 * after the WRITEs before it. So on iWARP a WRITE ends with a zero-length
 * READ at its own last byte, and completes with that READ: to the caller a
 * WRITE completion means the data is at the target, on every device. The
 * READ's sink is this buffer, a cache line of its own in case a device
 * writes to it anyway.
 */
static int bulk_qp_map_flush(struct bulk_qp *bq)
{
	struct ib_device *ibdev = bq->cm_id->device;

	bq->flush_buf = kzalloc(BULK_FLUSH_LEN, GFP_KERNEL);
	if (!bq->flush_buf)
		return -ENOMEM;
	bq->flush_dma = ib_dma_map_single(ibdev, bq->flush_buf, BULK_FLUSH_LEN,
					  DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(ibdev, bq->flush_dma)) {
		kfree(bq->flush_buf);
		bq->flush_buf = NULL;
		return -ENOMEM;
	}
	return 0;
}

/*
 * Create the CQ and QP on the CM id (which has resolved its device by now)
 * and post every receive buffer. Called from the CM callback that owns the
 * id, before connecting or accepting.
 */
int bulk_qp_setup(struct bulk_qp *bq)
{
	struct bulk_dev *dev = bq->peer->dev;
	struct ib_device *ibdev = bq->cm_id->device;
	struct ib_qp_init_attr init = {};
	struct ib_port_attr pattr;
	int ret, i;

	if (ibdev != dev->ibdev)
		return -ENETUNREACH;

	ret = ib_query_port(ibdev, bq->cm_id->port_num, &pattr);
	if (ret)
		return ret;
	bq->max_chunk = min_t(u32, pattr.max_msg_sz, BULK_MAX_CHUNK);
	bq->max_sge = clamp_t(u32, ibdev->attrs.max_send_sge, 1, BULK_MAX_SGE);
	/* siw scatters a READ response into one SGE only. */
	bq->max_sge_rd = clamp_t(u32, ibdev->attrs.max_sge_rd, 1, bq->max_sge);

	/* One extra entry each way for ib_drain_qp()'s marker requests. */
	bq->cq = ib_alloc_cq(ibdev, bq, BULK_QP_SEND_DEPTH +
			     BULK_QP_RECV_DEPTH + 2, 0, IB_POLL_WORKQUEUE);
	if (IS_ERR(bq->cq)) {
		ret = PTR_ERR(bq->cq);
		bq->cq = NULL;
		return ret;
	}

	init.event_handler = bulk_qp_event;
	init.qp_context = bq;
	init.send_cq = bq->cq;
	init.recv_cq = bq->cq;
	init.cap.max_send_wr = BULK_QP_SEND_DEPTH + 1;
	init.cap.max_recv_wr = BULK_QP_RECV_DEPTH + 1;
	init.cap.max_send_sge = bq->max_sge;
	init.cap.max_recv_sge = 1;
	init.sq_sig_type = IB_SIGNAL_ALL_WR;
	init.qp_type = IB_QPT_RC;
	ret = rdma_create_qp(bq->cm_id, dev->pd, &init);
	if (ret)
		goto err_cq;

	bq->rx = kcalloc(BULK_QP_RECV_DEPTH, sizeof(*bq->rx), GFP_KERNEL);
	if (!bq->rx) {
		ret = -ENOMEM;
		goto err_qp;
	}
	for (i = 0; i < BULK_QP_RECV_DEPTH; i++) {
		struct bulk_rx *rx = &bq->rx[i];

		rx->bq = bq;
		rx->cqe.done = bulk_rx_done;
		rx->dma = ib_dma_map_single(ibdev, &rx->msg, sizeof(rx->msg),
					    DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(ibdev, rx->dma)) {
			ret = -ENOMEM;
			goto err_rx;
		}
		bq->num_rx = i + 1;
		ret = bulk_rx_post(bq, rx);
		if (ret)
			goto err_rx;
	}
	if (rdma_protocol_iwarp(ibdev, bq->cm_id->port_num)) {
		ret = bulk_qp_map_flush(bq);
		if (ret)
			goto err_rx;
	}
	bq->credits = BULK_QP_SEND_DEPTH;
	return 0;

err_rx:
	/* Posted buffers are flushed by the QP's destruction. */
	ib_drain_rq(bq->cm_id->qp);
err_qp:
	rdma_destroy_qp(bq->cm_id);
err_cq:
	ib_free_cq(bq->cq);
	bq->cq = NULL;
	bulk_qp_unmap_buffers(bq);
	return ret;
}

/* The receive buffers and the flush sink, whatever of them is mapped. */
void bulk_qp_unmap_buffers(struct bulk_qp *bq)
{
	struct ib_device *ibdev = bq->peer->dev->ibdev;
	int i;

	if (bq->flush_buf) {
		ib_dma_unmap_single(ibdev, bq->flush_dma, BULK_FLUSH_LEN,
				    DMA_FROM_DEVICE);
		kfree(bq->flush_buf);
		bq->flush_buf = NULL;
	}

	for (i = 0; i < bq->num_rx; i++)
		ib_dma_unmap_single(ibdev, bq->rx[i].dma,
				    sizeof(bq->rx[i].msg), DMA_FROM_DEVICE);
	kfree(bq->rx);
	bq->rx = NULL;
	bq->num_rx = 0;
}

/*
 * Tear a QP down from a work item: CM callbacks of its id must not destroy
 * it, and the drain sleeps. Idempotent.
 */
void bulk_qp_destroy_async(struct bulk_qp *bq)
{
	struct bulk_peer *peer = bq->peer;

	spin_lock(&peer->lock);
	if (bq->dying) {
		spin_unlock(&peer->lock);
		return;
	}
	bq->dying = true;
	spin_unlock(&peer->lock);
	queue_work(bulk_wq, &bq->destroy_work);
}

static void bulk_qp_destroy_work(struct work_struct *work)
{
	struct bulk_qp *bq = container_of(work, struct bulk_qp, destroy_work);
	struct rdma_cm_id *id = bq->cm_id;

	/* A CM callback running now finishes; later ones see @dying. */
	mutex_lock(&bq->lock);
	mutex_unlock(&bq->lock);

	if (id->qp) {
		/*
		 * Every posted work request completes, most as flushed, when
		 * the drain moves the QP to the error state. Drain first: a
		 * disconnect moves a siw QP that is not transmitting to
		 * CLOSING, and from there the error state flushes neither its
		 * send queue nor the READs awaiting their responses; their
		 * completions would never come.
		 */
		ib_drain_qp(id->qp);
		rdma_disconnect(id);
		rdma_destroy_qp(id);
	}
	rdma_destroy_id(id);
	/* No event can queue it again: the QP is gone. */
	cancel_work_sync(&bq->fatal_work);
	if (bq->cq)
		ib_free_cq(bq->cq);
	bulk_qp_unmap_buffers(bq);
	bulk_qp_gone(bq);
	bulk_peer_put(bq->peer);
	kfree(bq);
}

/* Give back a send queue slot and refill it. */
void bulk_qp_credit(struct bulk_qp *bq)
{
	spin_lock(&bq->peer->lock);
	bq->credits++;
	spin_unlock(&bq->peer->lock);
	bulk_peer_kick(bq->peer);
}

static int bulk_qp_post_msg(struct bulk_qp *bq, struct bulk_msg_tx *mtx)
{
	struct ib_sge sge = {
		.addr = mtx->dma,
		.length = sizeof(mtx->msg),
		.lkey = bq->peer->dev->pd->local_dma_lkey,
	};
	struct ib_send_wr wr = {
		.wr_cqe = &mtx->cqe,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = IB_WR_SEND,
		.send_flags = IB_SEND_SIGNALED,
	};

	if (mtx->wr)
		return ib_post_send(bq->cm_id->qp, mtx->wr, NULL);
	return ib_post_send(bq->cm_id->qp, &wr, NULL);
}

/*
 * Post what the peer's queues hold while the send queue has room. Runs
 * from the submitting thread and from completion handlers.
 */
void bulk_peer_kick(struct bulk_peer *peer)
{
	struct bulk_msg_tx *mtx;
	struct bulk_qp *bq;
	struct bulk_op *op;
	int ret = 0;

	spin_lock(&peer->lock);
	bq = peer->tx;
	if (peer->state != BULK_PEER_READY || !bq)
		goto out;
	while (bq->credits) {
		mtx = list_first_entry_or_null(&peer->msgq, struct bulk_msg_tx,
					       list);
		if (mtx) {
			/*
			 * Off the queue before it is posted: its completion
			 * may free it before ib_post_send() returns (a QP in
			 * the error state flushes at once), and that handler
			 * does not take peer->lock.
			 */
			list_del_init(&mtx->list);
			ret = bulk_qp_post_msg(bq, mtx);
			if (ret) {
				list_add(&mtx->list, &peer->msgq);
				break;
			}
			bq->credits--;
			continue;
		}
		op = list_first_entry_or_null(&peer->txq, struct bulk_op, list);
		if (!op)
			break;
		ret = bulk_op_post_chunk(op, bq);
		if (ret)
			break;
		bq->credits--;
	}
out:
	spin_unlock(&peer->lock);
	if (ret)
		bulk_peer_kill(peer, -ECONNRESET);
}

/* A dead peer's queues: nothing in them was posted. */
void bulk_qp_drop_queued(struct list_head *msgq, struct list_head *txq)
{
	struct bulk_msg_tx *mtx, *mtmp;
	struct bulk_op *op, *otmp;

	list_for_each_entry_safe(mtx, mtmp, msgq, list) {
		list_del_init(&mtx->list);
		bulk_msg_done(mtx);
	}
	list_for_each_entry_safe(op, otmp, txq, list)
		bulk_op_unqueue(op);
}

/* A passive QP whose setup failed: RDMA CM destroys the id itself. */
void bulk_qp_free_unused(struct bulk_qp *bq)
{
	bq->cm_id->context = NULL;
	cancel_work_sync(&bq->fatal_work);
	bulk_qp_gone(bq);
	bulk_peer_put(bq->peer);
	kfree(bq);
}
