// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk operations: checking and accepting what a process posts, moving
 * the data, and reporting exactly one completion per operation.
 *
 * WRITE and READ move the data with RDMA on the shared QP, split into
 * chunks the device takes (rxe: 8 MiB messages), after the remote range
 * passed the grant check. A WRITE with an immediate then sends the
 * immediate as a message, which RC ordering delivers after the data, so it
 * also works on devices without write-with-immediate (siw). A SEND is a
 * rendezvous: the sender's kernel announces the message and the receiving
 * kernel READs it straight into the RECV buffer its endpoint posted, or
 * answers ENOBUFS when there is none; so any size works and nothing is
 * copied or dropped. The READ goes through keys made for exactly that
 * message (gkey.c), which the sender's kernel deregisters before the SEND
 * completes; a SEND from an io_uring registered buffer is written into
 * the RECV instead, through keys made for exactly the RECV's range.
 *
 * An operation holds its endpoint, MR, peer and grant until released, and
 * its completion slot from acceptance on: once accepted it always
 * completes, with an error when the connection fails under it.
 */

#include <linux/io_uring/cmd.h>
#include <linux/slab.h>
#include "bulk.h"

static void bulk_op_release(struct kref *ref)
{
	struct bulk_op *op = container_of(ref, struct bulk_op, ref);
	struct ib_bulk_ep *ep = op->ep;

	if (op->rgrant)
		bulk_rgrant_put(op->peer, op->rgrant);
	if (op->rkeys != &op->rkey)
		kfree(op->rkeys);
	if (op->mr)
		bulk_mr_put_inflight(op->mr);
	if (op->peer)
		bulk_peer_put(op->peer);
	spin_lock(&ep->lock);
	list_del(&op->ep_list);
	spin_unlock(&ep->lock);
	kfree(op);
	if (atomic_dec_and_test(&ep->ops_inflight))
		wake_up_var(&ep->ops_inflight);
	bulk_ep_put(ep);
}

void bulk_op_put(struct bulk_op *op)
{
	kref_put(&op->ref, bulk_op_release);
}

static void bulk_op_report(struct bulk_op *op, int status)
{
	/* Before the CQE: io_uring may drop the buffer once it is posted. */
	if (op->fixed) {
		bulk_fixed_unmap(op->fixed);
		op->fixed = NULL;
	}
	op->wc.status = -status;
	if (status)
		op->wc.byte_len = 0;
	if (op->ucmd)
		/* io_uring's CQE; the length is below 2 GiB (checked at post). */
		ib_bulk_uring_complete(op->ucmd,
				       status ?: (int)op->wc.byte_len,
				       (u64)op->wc.src_ep << 32 | op->wc.opcode);
	else
		bulk_cq_push(op->ep, &op->wc);
	bulk_op_put(op);
}

static void bulk_op_key_work(struct work_struct *work)
{
	struct bulk_op *op = container_of(work, struct bulk_op, key_work);

	bulk_gkeys_destroy(op->lkeys);
	op->lkeys = NULL;
	bulk_op_report(op, op->key_status);
}

/* Report the operation's one completion; @status is 0 or a -errno. */
void bulk_op_finish(struct bulk_op *op, int status)
{
	if (WARN_ON(op->finished))
		return;
	op->finished = true;
	/*
	 * The keys this node made for the op's range die before the op
	 * completes: after that the range may hold other data. From a work
	 * item: the deregistration waits for their registrations, whose
	 * completions this context may be the one to handle.
	 */
	if (op->lkeys) {
		op->key_status = status;
		INIT_WORK(&op->key_work, bulk_op_key_work);
		queue_work(bulk_wq, &op->key_work);
		return;
	}
	bulk_op_report(op, status);
}

static int bulk_wc_errno(enum ib_wc_status status)
{
	switch (status) {
	case IB_WC_SUCCESS:
		return 0;
	case IB_WC_WR_FLUSH_ERR:
		return -ECONNRESET;
	case IB_WC_REM_ACCESS_ERR:
		return -EACCES;
	case IB_WC_RETRY_EXC_ERR:
	case IB_WC_RNR_RETRY_EXC_ERR:
		return -ETIMEDOUT;
	case IB_WC_LOC_PROT_ERR:
	case IB_WC_LOC_ACCESS_ERR:
		return -EFAULT;
	default:
		return -EIO;
	}
}

static void bulk_op_acked(struct bulk_req *req, int status, u64 byte_len)
{
	struct bulk_op *op = container_of(req, struct bulk_op, req);
	bool defer;

	/* A SEND moved what the receiver read; a WRITE its own length. */
	op->wc.byte_len = op->wc.opcode == IB_UVERBS_BULK_OP_SEND ?
			  byte_len : op->length;
	/*
	 * The answer to a pushed SEND normally follows its data (the
	 * receiver waits for our ACK of its CTS). When it does not (the
	 * connection failed), the WRITEs may still be posted: they must end
	 * before the buffer is unmapped and the CQE posted.
	 */
	spin_lock(&op->peer->lock);
	defer = op->push_state == BULK_PUSH_DATA;
	if (defer) {
		op->push_acked = true;
		op->push_status = status;
	}
	spin_unlock(&op->peer->lock);
	if (!defer)
		bulk_op_finish(op, status);
}

static void bulk_op_mtx_done(struct bulk_msg_tx *mtx)
{
	bulk_op_put(container_of(mtx, struct bulk_op, mtx));
}

/* Send @op's request (RTS or IMM); the acknowledgment completes it. */
static void bulk_op_request(struct bulk_op *op, u16 type)
{
	struct bulk_msg *msg = &op->mtx.msg;
	LIST_HEAD(keys);
	u32 seq;
	int ret;

	op->req.acked = bulk_op_acked;
	ret = bulk_peer_req_add(op->peer, &op->req, &seq);
	if (ret) {
		bulk_op_finish(op, ret);
		return;
	}
	if (type == BULK_MSG_RTS) {
		ret = bulk_gkeys_rest(op->lkeys, BULK_MSG_SEND_KEY, seq, &keys);
		if (ret) {
			if (bulk_peer_req_take(op->peer, seq))
				bulk_op_finish(op, ret);
			return;
		}
	}
	memset(msg, 0, sizeof(*msg));
	msg->type = cpu_to_le16(type);
	msg->seq = cpu_to_le32(seq);
	msg->src_ep = cpu_to_le32(op->ep->id);
	msg->dst_ep = cpu_to_le32(op->dst_ep);
	msg->length = cpu_to_le64(op->length);
	if (type == BULK_MSG_RTS) {
		/* Executed before the RTS that names the keys. */
		bulk_gkeys_register(op->lkeys, op->peer);
		bulk_gkeys_fill_first(op->lkeys, msg);
	} else if (type == BULK_MSG_IMM) {
		msg->imm = cpu_to_le32(op->wc.imm);
	}
	op->mtx.done = bulk_op_mtx_done;
	kref_get(&op->ref);
	bulk_msg_send(op->peer, &op->mtx);
	/* Made up front: the answer may end the op (and its keys) by now. */
	bulk_msg_send_all(op->peer, &keys);
}

/*
 * The WRITEs of a pushed SEND ended: tell the receiver (its RECV then
 * completes, and it answers our RTS_PUSH), or report the answer that came
 * while they were running.
 */
static void bulk_op_push_done(struct bulk_op *op, int status)
{
	bool acked;

	bulk_msg_ack(op->peer, op->ack_seq, -status, status ? 0 : op->length);
	spin_lock(&op->peer->lock);
	op->push_state = BULK_PUSH_DONE;
	acked = op->push_acked;
	spin_unlock(&op->peer->lock);
	if (acked)
		bulk_op_finish(op, op->push_status);
}

/* Every work request of @op completed (or none could be posted). */
static void bulk_op_rdma_done(struct bulk_op *op)
{
	int status = op->status;

	switch (op->wc.opcode) {
	case IB_UVERBS_BULK_OP_WRITE:
		if (!status && op->imm) {
			bulk_op_request(op, BULK_MSG_IMM);
			break;
		}
		op->wc.byte_len = op->length;
		bulk_op_finish(op, status);
		break;
	case IB_UVERBS_BULK_OP_READ:
		op->wc.byte_len = op->length;
		bulk_op_finish(op, status);
		break;
	case IB_UVERBS_BULK_OP_SEND:
		bulk_op_push_done(op, status);
		break;
	case IB_UVERBS_BULK_OP_RECV:
		/* The sender's SEND completes with our verdict. */
		bulk_msg_ack(op->peer, op->ack_seq, -status,
			     status ? 0 : op->length);
		op->wc.byte_len = op->length;
		bulk_op_finish(op, status);
		break;
	}
	/* The reference bulk_op_queue() took. */
	bulk_op_put(op);
}

/* Hand @op's RDMA work to its peer's send engine. */
static void bulk_op_queue(struct bulk_op *op)
{
	struct bulk_peer *peer = op->peer;

	kref_get(&op->ref);
	spin_lock(&peer->lock);
	if (peer->state != BULK_PEER_READY) {
		op->status = peer->error ?: -ECONNRESET;
		spin_unlock(&peer->lock);
		bulk_op_rdma_done(op);
		return;
	}
	list_add_tail(&op->list, &peer->txq);
	spin_unlock(&peer->lock);
	bulk_peer_kick(peer);
}

/* A WRITE on iWARP is done when a READ behind it is: bulk_qp_map_flush(). */
static bool bulk_op_needs_flush(struct bulk_op *op, struct bulk_qp *bq)
{
	return op->wr_opcode == IB_WR_RDMA_WRITE && bq->flush_buf;
}

/*
 * The remote key for @raddr in @op's remote range, and the bytes from
 * there that it covers: a grant has a key per 1 << key_shift bytes of its
 * address space (gkey.c), and so has a SEND's range.
 */
static u32 bulk_op_rkey(const struct bulk_op *op, u64 raddr, u64 *left)
{
	const struct bulk_rgrant *rg = op->rgrant;
	const u32 *rkeys = rg ? rg->rkeys : op->rkeys;
	u8 shift = rg ? rg->key_shift : op->key_shift;
	u64 k = raddr >> shift;

	*left = ((k + 1) << shift) - raddr;
	return rkeys[k];
}

/*
 * Under the peer's lock: one signalled work request of @op, @sge (@num_sge
 * entries) against @raddr in @op's remote range, with @raddr's key.
 */
static int bulk_op_post_wr(struct bulk_op *op, struct bulk_qp *bq,
			   enum ib_wr_opcode opcode, struct ib_sge *sge,
			   int num_sge, u64 raddr)
{
	u64 left;
	struct ib_rdma_wr wr = {
		.wr = {
			.wr_cqe = &op->cqe,
			.sg_list = sge,
			.num_sge = num_sge,
			.opcode = opcode,
			.send_flags = IB_SEND_SIGNALED,
		},
		.remote_addr = raddr,
		.rkey = bulk_op_rkey(op, raddr, &left),
	};
	int ret;

	ret = ib_post_send(bq->cm_id->qp, &wr.wr, NULL);
	if (!ret)
		op->wrs_out++;
	return ret;
}

/*
 * Under the peer's lock: the zero-length READ behind @op's WRITEs. It
 * moves no byte, so a key without remote read access (a WRITE-only
 * grant's) serves it.
 */
static int bulk_op_post_flush(struct bulk_op *op, struct bulk_qp *bq)
{
	struct ib_sge sge = {
		.addr = bq->flush_dma,
		.length = 0,
		.lkey = bq->peer->dev->pd->local_dma_lkey,
	};
	int ret;

	ret = bulk_op_post_wr(op, bq, IB_WR_RDMA_READ, &sge, 1,
			      op->raddr + op->length - 1);
	if (ret)
		return ret;
	list_del_init(&op->list);
	return 0;
}

/*
 * Under the peer's lock: the next chunk of an op on a registered buffer,
 * at most *@len bytes; *@len: what it took.
 */
static int bulk_op_post_fixed(struct bulk_op *op, struct bulk_qp *bq,
			      u32 *len)
{
	int max_sge = op->wr_opcode == IB_WR_RDMA_READ ? bq->max_sge_rd :
							  bq->max_sge;
	struct ib_sge sge[BULK_MAX_SGE];
	struct bulk_fixed_pos next;
	int num_sge, ret;

	*len = bulk_fixed_sges(op->fixed, bq->peer->dev->pd->local_dma_lkey,
			       sge, max_sge, *len, &num_sge, &next);
	ret = bulk_op_post_wr(op, bq, op->wr_opcode, sge, num_sge,
			      op->raddr + op->posted);
	if (!ret)
		bulk_fixed_advance(op->fixed, &next);
	return ret;
}

/*
 * Under the peer's lock: post @op's next chunk on @bq, or its flush once
 * every chunk is out. @op leaves the queue with its last work request.
 */
int bulk_op_post_chunk(struct bulk_op *op, struct bulk_qp *bq)
{
	struct ib_sge sge = {
		.addr = op->laddr + op->posted,
	};
	u64 key_left;
	u32 len;
	int ret;

	if (op->posted == op->length)
		return bulk_op_post_flush(op, bq);
	/* No work request crosses from one remote key to the next. */
	bulk_op_rkey(op, op->raddr + op->posted, &key_left);
	len = min3(op->length - op->posted, (u64)bq->max_chunk, key_left);
	sge.length = len;
	if (op->fixed) {
		ret = bulk_op_post_fixed(op, bq, &len);
	} else {
		sge.lkey = op->mr->ibmr->lkey;
		ret = bulk_op_post_wr(op, bq, op->wr_opcode, &sge, 1,
				      op->raddr + op->posted);
	}
	if (ret)
		return ret;
	op->posted += len;
	if (op->posted == op->length && !bulk_op_needs_flush(op, bq))
		list_del_init(&op->list);
	return 0;
}

static void bulk_op_chunk_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct bulk_op *op = container_of(wc->wr_cqe, struct bulk_op, cqe);
	struct bulk_qp *bq = cq->cq_context;
	struct bulk_peer *peer = bq->peer;
	bool last;

	if (wc->status == IB_WC_SUCCESS)
		bulk_peer_progress(peer);
	spin_lock(&peer->lock);
	bq->credits++;
	op->wrs_out--;
	/*
	 * Once the connection is down, whatever the device says of the
	 * work requests left is a consequence: report the cause (ENODEV
	 * for a device going away, ETIMEDOUT for a node that stopped
	 * answering).
	 */
	if (wc->status != IB_WC_SUCCESS && !op->status)
		op->status = peer->error ?: bulk_wc_errno(wc->status);
	last = !op->wrs_out && list_empty(&op->list);
	spin_unlock(&peer->lock);

	/* Any error but a flush put the shared QP in the error state. */
	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR)
		bulk_peer_kill(peer, bulk_wc_errno(wc->status) == -ETIMEDOUT ?
				     -ETIMEDOUT : -ECONNRESET);
	if (last)
		bulk_op_rdma_done(op);
	bulk_peer_kick(peer);
}

/* A dead peer dropped @op from its queue, maybe with chunks posted. */
void bulk_op_unqueue(struct bulk_op *op)
{
	struct bulk_peer *peer = op->peer;
	bool last;

	spin_lock(&peer->lock);
	list_del_init(&op->list);
	if (!op->status)
		op->status = peer->error ?: -ECONNRESET;
	last = !op->wrs_out;
	spin_unlock(&peer->lock);
	if (last)
		bulk_op_rdma_done(op);
}

static struct bulk_op *bulk_op_alloc(struct ib_bulk_ep *ep,
				     const struct ib_uverbs_bulk_op *uop)
{
	struct bulk_op *op = kzalloc(sizeof(*op), GFP_KERNEL);

	if (!op)
		return NULL;
	kref_init(&op->ref);
	INIT_LIST_HEAD(&op->list);
	op->cqe.done = bulk_op_chunk_done;
	op->ep = ep;
	bulk_ep_get(ep);
	atomic_inc(&ep->ops_inflight);
	spin_lock(&ep->lock);
	list_add_tail(&op->ep_list, &ep->ops);
	spin_unlock(&ep->lock);
	op->wc.wr_id = uop->wr_id;
	op->wc.opcode = uop->opcode;
	return op;
}

static int bulk_op_check(const struct ib_uverbs_bulk_op *uop)
{
	bool rdma = uop->opcode == IB_UVERBS_BULK_OP_WRITE ||
		    uop->opcode == IB_UVERBS_BULK_OP_READ;
	u32 flags = uop->opcode == IB_UVERBS_BULK_OP_WRITE ?
		    IB_UVERBS_BULK_OP_F_IMM : 0;

	if (uop->opcode > IB_UVERBS_BULK_OP_RECV || uop->reserved ||
	    (uop->flags & ~flags) || !uop->length)
		return -EINVAL;
	if (!(uop->flags & IB_UVERBS_BULK_OP_F_IMM) && uop->imm)
		return -EINVAL;
	if (!rdma && (uop->remote_grant || uop->remote_offset))
		return -EINVAL;
	if (uop->opcode == IB_UVERBS_BULK_OP_RECV && uop->conn_id)
		return -EINVAL;
	return 0;
}

/* The endpoint's MR @id with a use counted, or NULL. */
static struct ib_bulk_mr *bulk_op_get_mr(struct ib_bulk_ep *ep, u32 id)
{
	struct ib_bulk_mr *mr;

	xa_lock(&ep->mrs);
	mr = xa_load(&ep->mrs, id);
	if (mr)
		atomic_inc(&mr->inflight);
	xa_unlock(&ep->mrs);
	return mr;
}

/*
 * The peer of connection handle @id, referenced, its remote endpoint and
 * whether that endpoint closed.
 */
static struct bulk_peer *bulk_op_get_peer(struct ib_bulk_ep *ep, u32 id,
					  u32 *remote_ep, bool *reset)
{
	struct ib_bulk_conn *conn;
	struct bulk_peer *peer = NULL;

	xa_lock(&ep->conns);
	conn = xa_load(&ep->conns, id);
	if (conn) {
		peer = conn->peer;
		bulk_peer_get(peer);
		*remote_ep = conn->remote_ep;
		*reset = READ_ONCE(conn->reset);
	}
	xa_unlock(&ep->conns);
	return peer;
}

/*
 * A grant check failed: was it because the owner endpoint closed while the
 * operation was on its way? The reset is set before the grant is dropped,
 * under the peer's lock that the check took.
 */
static int bulk_op_grant_error(struct ib_bulk_ep *ep, u32 id, int err)
{
	struct ib_bulk_conn *conn;

	if (err != -EACCES)
		return err;
	xa_lock(&ep->conns);
	conn = xa_load(&ep->conns, id);
	if (conn && READ_ONCE(conn->reset))
		err = -ECONNRESET;
	xa_unlock(&ep->conns);
	return err;
}

/*
 * The local memory of an op: a range of one of the endpoint's MRs, with a
 * use counted, or (io_uring with IORING_URING_CMD_FIXED) a range of the
 * ring's registered buffer, where the op's offset is the user address.
 */
static int bulk_op_get_local(struct ib_bulk_ep *ep,
			     const struct ib_uverbs_bulk_op *uop,
			     struct io_uring_cmd *ucmd, struct ib_bulk_mr **mr,
			     struct bulk_fixed **fixed)
{
	bool write = uop->opcode == IB_UVERBS_BULK_OP_WRITE;
	u64 end;

	if (ucmd && (ucmd->flags & IORING_URING_CMD_FIXED)) {
		/* The device reads the buffer for WRITE and SEND. */
		write |= uop->opcode == IB_UVERBS_BULK_OP_SEND;
		/* A RECV's sender is given a key: it needs an MR. */
		if (uop->opcode == IB_UVERBS_BULK_OP_RECV)
			return -EOPNOTSUPP;
		if (uop->mr_id)
			return -EINVAL;
		*fixed = bulk_fixed_map(ucmd, ep->dev->ibdev, uop->offset,
					uop->length, write);
		return PTR_ERR_OR_ZERO(*fixed);
	}
	*mr = bulk_op_get_mr(ep, uop->mr_id);
	if (!*mr)
		return -EINVAL;
	if (!bulk_mr_owned(*mr)) {
		bulk_mr_put_inflight(*mr);
		return -EPERM;
	}
	if (check_add_overflow(uop->offset, uop->length, &end) ||
	    end > (*mr)->length) {
		bulk_mr_put_inflight(*mr);
		return -ERANGE;
	}
	return 0;
}

/*
 * Accept one operation. Its completion goes to @ucmd's CQE when it came
 * through io_uring, else to the endpoint's ring, where it reserves its
 * slot first.
 */
static int bulk_op_post_one(struct ib_bulk_ep *ep,
			    const struct ib_uverbs_bulk_op *uop,
			    struct io_uring_cmd *ucmd)
{
	struct bulk_fixed *fixed = NULL;
	struct bulk_peer *peer = NULL;
	struct ib_bulk_mr *mr = NULL;
	struct bulk_op *op;
	u32 remote_ep = 0;
	bool reset = false;
	int ret;

	if (bulk_dev_removed(ep->dev))
		return -ENODEV;
	ret = bulk_op_check(uop);
	if (ret)
		return ret;
	ret = bulk_op_get_local(ep, uop, ucmd, &mr, &fixed);
	if (ret)
		return ret;
	if (uop->opcode != IB_UVERBS_BULK_OP_RECV) {
		ret = -EINVAL;
		peer = bulk_op_get_peer(ep, uop->conn_id, &remote_ep,
					&reset);
		if (!peer)
			goto err_local;
	}
	/* The completion's slot, before anything can complete. */
	ret = -ENOSPC;
	if (!ucmd && !bulk_cq_reserve(ep))
		goto err_peer;
	ret = -ENOMEM;
	op = bulk_op_alloc(ep, uop);
	if (!op)
		goto err_cq;
	op->ucmd = ucmd;
	op->mr = mr;
	op->fixed = fixed;
	op->peer = peer;
	if (mr)
		op->laddr = mr->addr + uop->offset;
	op->length = uop->length;
	op->dst_ep = remote_ep;

	/* The remote endpoint closed: every later operation on it fails. */
	if (reset) {
		bulk_op_finish(op, -ECONNRESET);
		return 0;
	}

	switch (uop->opcode) {
	case IB_UVERBS_BULK_OP_WRITE:
	case IB_UVERBS_BULK_OP_READ:
		op->imm = uop->flags & IB_UVERBS_BULK_OP_F_IMM;
		op->wc.imm = uop->imm;
		op->wr_opcode = uop->opcode == IB_UVERBS_BULK_OP_WRITE ?
				IB_WR_RDMA_WRITE : IB_WR_RDMA_READ;
		ret = bulk_rgrant_use(peer, op, uop, ep->id, remote_ep,
				      uop->opcode == IB_UVERBS_BULK_OP_WRITE ?
				      IB_UVERBS_BULK_ACCESS_REMOTE_WRITE :
				      IB_UVERBS_BULK_ACCESS_REMOTE_READ);
		/* A grant violation fails this operation, not the batch. */
		if (ret)
			bulk_op_finish(op, bulk_op_grant_error(ep, uop->conn_id,
							       ret));
		else
			bulk_op_queue(op);
		break;
	case IB_UVERBS_BULK_OP_SEND:
		if (fixed) {
			/* No key for the receiver to READ with: it gives its own. */
			bulk_op_request(op, BULK_MSG_RTS_PUSH);
			break;
		}
		/* The receiver READs through keys over just the message. */
		op->lkeys = bulk_gkeys_create(ep->dev, mr->mm, op->laddr,
					      op->length,
					      IB_UVERBS_BULK_ACCESS_REMOTE_READ);
		if (IS_ERR(op->lkeys)) {
			ret = PTR_ERR(op->lkeys);
			op->lkeys = NULL;
			bulk_op_finish(op, ret);
			break;
		}
		bulk_op_request(op, BULK_MSG_RTS);
		break;
	case IB_UVERBS_BULK_OP_RECV:
		/* Under the lock that the removal's cancel takes. */
		spin_lock(&ep->lock);
		ret = bulk_dev_removed(ep->dev) ? -ENODEV : 0;
		if (!ret)
			list_add_tail(&op->list, &ep->recvs);
		spin_unlock(&ep->lock);
		if (ret)
			bulk_op_finish(op, ret);
		break;
	}
	return 0;

err_cq:
	if (!ucmd)
		bulk_cq_unreserve(ep);
err_peer:
	if (peer)
		bulk_peer_put(peer);
err_local:
	if (mr)
		bulk_mr_put_inflight(mr);
	if (fixed)
		bulk_fixed_unmap(fixed);
	return ret;
}

int bulk_ep_post(struct ib_bulk_ep *ep, const struct ib_uverbs_bulk_op *uops,
		 u32 num, u32 *num_posted)
{
	int ret = 0;
	u32 i;

	for (i = 0; i < num; i++) {
		ret = bulk_op_post_one(ep, &uops[i], NULL);
		if (ret)
			break;
	}
	*num_posted = i;
	return ret;
}

int bulk_ep_uring_post(struct ib_bulk_ep *ep,
		       const struct ib_uverbs_bulk_op *uop,
		       struct io_uring_cmd *ucmd)
{
	return bulk_op_post_one(ep, uop, ucmd);
}

/*
 * io_uring cancels a RECV it submitted: complete it as cancelled if it
 * still waits for a sender. One that a SEND took is no longer on the list
 * and completes when its data has arrived (or its connection failed).
 */
void bulk_ep_uring_cancel(struct ib_bulk_ep *ep, struct io_uring_cmd *ucmd)
{
	struct bulk_op *op, *found = NULL;

	spin_lock(&ep->lock);
	list_for_each_entry(op, &ep->recvs, list) {
		if (op->ucmd == ucmd) {
			list_del_init(&op->list);
			found = op;
			break;
		}
	}
	spin_unlock(&ep->lock);
	if (found)
		bulk_op_finish(found, -ECANCELED);
}

/* The sender wrote the data into the RECV (or failed to): complete both. */
static void bulk_recv_pushed(struct bulk_req *req, int status, u64 byte_len)
{
	struct bulk_op *op = container_of(req, struct bulk_op, req);

	if (!status && byte_len != op->length)
		status = -EPROTO;
	bulk_msg_ack(op->peer, op->ack_seq, -status, status ? 0 : op->length);
	op->wc.byte_len = op->length;
	bulk_op_finish(op, status);
}

/*
 * Answer an RTS_PUSH matched to RECV @op: the range to write into, through
 * keys over exactly that range, made now (in the MR's address space: this
 * runs in a completion handler).
 */
static void bulk_recv_cts(struct bulk_op *op)
{
	struct bulk_msg *msg = &op->mtx.msg;
	LIST_HEAD(keys);
	u32 seq;
	int ret;

	op->lkeys = bulk_gkeys_create(op->ep->dev, op->mr->mm, op->laddr,
				      op->length,
				      IB_UVERBS_BULK_ACCESS_REMOTE_WRITE);
	if (IS_ERR(op->lkeys)) {
		ret = PTR_ERR(op->lkeys);
		op->lkeys = NULL;
		goto err;
	}
	op->req.acked = bulk_recv_pushed;
	ret = bulk_peer_req_add(op->peer, &op->req, &seq);
	if (ret)
		goto err;
	ret = bulk_gkeys_rest(op->lkeys, BULK_MSG_SEND_KEY, seq, &keys);
	if (ret) {
		if (!bulk_peer_req_take(op->peer, seq))
			return;
		goto err;
	}
	memset(msg, 0, sizeof(*msg));
	msg->type = cpu_to_le16(BULK_MSG_CTS);
	msg->seq = cpu_to_le32(seq);
	msg->id = cpu_to_le64(op->ack_seq);
	msg->dst_ep = cpu_to_le32(op->wc.src_ep);
	msg->src_ep = cpu_to_le32(op->ep->id);
	msg->length = cpu_to_le64(op->length);
	/* Executed before the CTS that names the keys. */
	bulk_gkeys_register(op->lkeys, op->peer);
	bulk_gkeys_fill_first(op->lkeys, msg);
	op->mtx.done = bulk_op_mtx_done;
	kref_get(&op->ref);
	bulk_msg_send(op->peer, &op->mtx);
	bulk_msg_send_all(op->peer, &keys);
	return;

err:
	bulk_msg_ack(op->peer, op->ack_seq, -ret, 0);
	bulk_op_finish(op, ret);
}

/*
 * The keys an RTS or CTS @msg gives for @op's remote range of op->length
 * bytes: 0, or a negative errno. With more keys to come, op->missing says
 * how many.
 */
static int bulk_op_take_keys(struct bulk_op *op, const struct bulk_msg *msg)
{
	u32 nkeys = le32_to_cpu(msg->nkeys);

	op->raddr = le64_to_cpu(msg->addr);
	if (!bulk_gkeys_fit(op->raddr, op->length, nkeys, msg->key_shift))
		return -EPROTO;
	op->rkey = le32_to_cpu(msg->rkey);
	op->rkeys = &op->rkey;
	op->nkeys = 1;
	op->key_shift = msg->key_shift;
	op->keys_seq = le32_to_cpu(msg->seq);
	if (nkeys == 1)
		return 0;
	op->rkeys = kcalloc(nkeys, sizeof(*op->rkeys), GFP_KERNEL);
	if (!op->rkeys) {
		op->rkeys = &op->rkey;
		return -ENOMEM;
	}
	op->rkeys[0] = op->rkey;
	op->nkeys = nkeys;
	op->missing = nkeys - 1;
	return 0;
}

/* @op has all its remote keys: its data phase starts. */
static void bulk_op_keys_ready(struct bulk_op *op)
{
	bulk_hostile_saw_keys(op);
	bulk_op_queue(op);
}

/*
 * Start @op's data phase, or park it in peer->keyed until its SEND_KEYs
 * came, holding the reference its queueing would have taken.
 */
static void bulk_op_keys_start(struct bulk_op *op)
{
	struct bulk_peer *peer = op->peer;
	bool dead;

	if (!op->missing) {
		bulk_op_keys_ready(op);
		return;
	}
	kref_get(&op->ref);
	if (xa_insert(&peer->keyed, op->keys_seq, op, GFP_KERNEL)) {
		/* The seq of a range still waiting for its keys, again. */
		bulk_peer_kill(peer, -EPROTO);
		bulk_op_keys_abort(op, -EPROTO);
		return;
	}
	/* The kill work empties peer->keyed after the state changed. */
	spin_lock(&peer->lock);
	dead = peer->state != BULK_PEER_READY;
	spin_unlock(&peer->lock);
	if (dead && xa_erase(&peer->keyed, op->keys_seq) == op)
		bulk_op_keys_abort(op, peer->error ?: -ECONNRESET);
}

/* A parked op's connection failed before its keys came. */
void bulk_op_keys_abort(struct bulk_op *op, int error)
{
	op->status = error;
	bulk_op_rdma_done(op);
}

/* SEND_KEY: the next key of an RTS's or CTS's range. */
void bulk_send_key_recv(struct bulk_peer *peer, const struct bulk_msg *msg)
{
	u64 id = le64_to_cpu(msg->id);
	u32 k = le32_to_cpu(msg->nkeys);
	struct bulk_op *op = NULL;
	bool bad = false;

	xa_lock(&peer->keyed);
	op = id <= U32_MAX ? xa_load(&peer->keyed, id) : NULL;
	if (op) {
		if (k != op->nkeys - op->missing) {
			bad = true;
			op = NULL;
		} else {
			op->rkeys[k] = le32_to_cpu(msg->rkey);
			if (--op->missing)
				op = NULL;
			else
				__xa_erase(&peer->keyed, id);
		}
	}
	xa_unlock(&peer->keyed);
	/* One out of order costs the connection; the kill work ends its op. */
	if (bad)
		bulk_peer_kill(peer, -EPROTO);
	/* One for a range we refused is dropped. */
	if (!op)
		return;
	bulk_op_keys_ready(op);
	bulk_op_put(op);
}

/* @ep's next RECV for a SEND of @length bytes, or NULL and *@status why. */
static struct bulk_op *bulk_recv_take(struct ib_bulk_ep *ep, u64 length,
				      int *status)
{
	struct bulk_op *op;

	spin_lock(&ep->lock);
	op = list_first_entry_or_null(&ep->recvs, struct bulk_op, list);
	if (!op) {
		*status = ENOBUFS;
	} else if (op->length < length) {
		/* Too big for the next buffer: refused, not cut. */
		*status = EMSGSIZE;
		op = NULL;
	} else {
		list_del_init(&op->list);
	}
	spin_unlock(&ep->lock);
	return op;
}

/* A node announces a SEND for one of our endpoints: READ it into a RECV. */
void bulk_send_rts_recv(struct bulk_peer *peer, const struct bulk_msg *msg)
{
	u64 length = le64_to_cpu(msg->length);
	u32 seq = le32_to_cpu(msg->seq);
	struct bulk_op *op = NULL;
	struct ib_bulk_ep *ep;
	int status = ECONNRESET;

	ep = bulk_ep_lookup(le32_to_cpu(msg->dst_ep));
	/* ECONNRESET: no such endpoint here, or nothing to move. */
	if (ep && ep->dev == peer->dev && length) {
		/* An RTS's keys must fit its range; the RECV stays posted. */
		if (le16_to_cpu(msg->type) == BULK_MSG_RTS &&
		    !bulk_gkeys_fit(le64_to_cpu(msg->addr), length,
				    le32_to_cpu(msg->nkeys), msg->key_shift))
			status = EPROTO;
		else
			op = bulk_recv_take(ep, length, &status);
	}
	if (ep)
		bulk_ep_put(ep);
	if (!op) {
		bulk_msg_ack(peer, seq, status, 0);
		return;
	}
	bulk_peer_get(peer);
	op->peer = peer;
	op->ack_seq = seq;
	op->length = length;
	op->wc.src_ep = le32_to_cpu(msg->src_ep);
	if (le16_to_cpu(msg->type) == BULK_MSG_RTS_PUSH) {
		bulk_recv_cts(op);
		return;
	}
	op->wr_opcode = IB_WR_RDMA_READ;
	op->status = bulk_op_take_keys(op, msg);
	if (op->status) {
		/* Answered with the error, which the RECV completes with. */
		kref_get(&op->ref);
		bulk_op_rdma_done(op);
		return;
	}
	bulk_op_keys_start(op);
}

/*
 * The receiver of one of our pushed SENDs gives the range to write into.
 * The SEND is found by its RTS_PUSH, still waiting for its answer; the
 * data phase starts under the lock that answer's taking needs, so the
 * answer cannot finish the op behind our back (bulk_op_acked()).
 */
void bulk_send_cts_recv(struct bulk_peer *peer, const struct bulk_msg *msg)
{
	u64 rts = le64_to_cpu(msg->id);
	struct bulk_op *op = NULL;
	struct bulk_req *req;

	xa_lock(&peer->reqs);
	req = rts <= U32_MAX ? xa_load(&peer->reqs, rts) : NULL;
	if (req && req->acked == bulk_op_acked) {
		op = container_of(req, struct bulk_op, req);
		if (op->fixed && op->wc.opcode == IB_UVERBS_BULK_OP_SEND &&
		    op->push_state == BULK_PUSH_NONE &&
		    le64_to_cpu(msg->length) == op->length) {
			kref_get(&op->ref);
			op->push_state = BULK_PUSH_DATA;
		} else {
			op = NULL;
		}
	}
	xa_unlock(&peer->reqs);
	if (!op) {
		/* Not a SEND of ours waiting for its range. */
		bulk_msg_ack(peer, le32_to_cpu(msg->seq), EPROTO, 0);
		return;
	}
	op->ack_seq = le32_to_cpu(msg->seq);
	op->wr_opcode = IB_WR_RDMA_WRITE;
	op->status = bulk_op_take_keys(op, msg);
	if (op->status) {
		/* The data phase ends before it began: answer the CTS. */
		kref_get(&op->ref);
		bulk_op_rdma_done(op);
	} else {
		bulk_op_keys_start(op);
	}
	bulk_op_put(op);
}

/* A WRITE's immediate for one of our endpoints, after its data. */
void bulk_imm_recv(struct bulk_peer *peer, const struct bulk_msg *msg)
{
	struct ib_uverbs_bulk_wc wc = {
		.opcode = IB_UVERBS_BULK_WC_IMM,
		.byte_len = le64_to_cpu(msg->length),
		.imm = le32_to_cpu(msg->imm),
		.src_ep = le32_to_cpu(msg->src_ep),
	};
	struct ib_bulk_ep *ep;
	int status = ECONNRESET;

	ep = bulk_ep_lookup(le32_to_cpu(msg->dst_ep));
	if (ep && ep->dev == peer->dev) {
		status = ENOBUFS;
		if (bulk_cq_reserve(ep)) {
			bulk_cq_push(ep, &wc);
			status = 0;
		}
	}
	if (ep)
		bulk_ep_put(ep);
	bulk_msg_ack(peer, le32_to_cpu(msg->seq), status, 0);
}

/*
 * Posted RECVs (of one MR, or all when @mr is NULL) complete as cancelled:
 * the endpoint or the MR is going away.
 */
void bulk_ep_cancel_recvs(struct ib_bulk_ep *ep, struct ib_bulk_mr *mr)
{
	struct bulk_op *op, *tmp;
	LIST_HEAD(recvs);

	spin_lock(&ep->lock);
	list_for_each_entry_safe(op, tmp, &ep->recvs, list)
		if (!mr || op->mr == mr)
			list_move_tail(&op->list, &recvs);
	spin_unlock(&ep->lock);
	list_for_each_entry_safe(op, tmp, &recvs, list) {
		list_del_init(&op->list);
		bulk_op_finish(op, -ECANCELED);
	}
}
