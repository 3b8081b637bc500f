// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk grants. The owner of an MR lets one remote endpoint READ and/or
 * WRITE a byte range of it: the owner's kernel registers device keys over
 * exactly that range with exactly that access (gkey.c) and sends them with
 * the bounds to the remote node's kernel, which keeps them in the peer's
 * grant table and checks every WRITE and READ of its endpoints against it
 * before anything is posted. Keys never reach userspace, and a bad request
 * fails one operation, never the shared QP; a remote kernel that skips
 * the checks still reaches nothing the grant did not give.
 *
 * Revoking is two-phase: the remote kernel stops new uses of the grant at
 * once, acknowledges when the operations already posted with it are done,
 * and only then are the keys invalidated and may the owner deregister the
 * memory.
 */

#include <linux/slab.h>
#include "bulk.h"

/* How long the owner waits for the remote kernel to take or drain a grant. */
#define BULK_GRANT_TIMEOUT	BULK_ANSWER_TIMEOUT

static atomic64_t bulk_next_grant_id = ATOMIC64_INIT(0);

/*
 * Register @lg's keys on its node's QP and send the GRANT @mtx, then the
 * keys after the first; the node answers once it has them all.
 */
static int bulk_grant_send(struct bulk_lgrant *lg, struct bulk_msg_tx *mtx)
{
	struct bulk_req_wait w;
	LIST_HEAD(keys);
	int ret;

	ret = bulk_gkeys_rest(lg->keys, BULK_MSG_GRANT_KEY, lg->id, &keys);
	if (ret) {
		kfree(mtx);
		return ret;
	}
	/* Executed in order before the GRANT that names the keys. */
	bulk_gkeys_register(lg->keys, lg->peer);
	ret = bulk_peer_request_start(lg->peer, mtx, &w);
	if (ret) {
		bulk_msg_free_all(&keys);
		return ret;
	}
	bulk_msg_send_all(lg->peer, &keys);
	return bulk_peer_request_finish(lg->peer, &w, BULK_GRANT_TIMEOUT);
}

int bulk_grant(struct ib_bulk_conn *conn, struct ib_bulk_mr *mr,
	       const struct ib_uverbs_bulk_grant *cmd, u64 *grant_id)
{
	const u32 known = IB_UVERBS_BULK_ACCESS_REMOTE_READ |
			  IB_UVERBS_BULK_ACCESS_REMOTE_WRITE;
	struct ib_bulk_ep *ep = conn->ep;
	struct bulk_msg_tx *mtx;
	struct bulk_lgrant *lg;
	u64 end;
	int ret;

	if (READ_ONCE(ep->dead) || bulk_dev_removed(ep->dev))
		return -ENODEV;
	if (mr->ep != ep || !cmd->access || (cmd->access & ~known) ||
	    !cmd->length)
		return -EINVAL;
	if (!bulk_mr_owned(mr))
		return -EPERM;
	if ((cmd->access & mr->access) != cmd->access)
		return -EACCES;
	if (check_add_overflow(cmd->offset, cmd->length, &end) ||
	    end > mr->length)
		return -ERANGE;

	lg = kzalloc(sizeof(*lg), GFP_KERNEL);
	mtx = bulk_msg_alloc(BULK_MSG_GRANT, GFP_KERNEL);
	if (!lg || !mtx) {
		ret = -ENOMEM;
		goto err_free;
	}
	lg->keys = bulk_gkeys_create(ep->dev, mr->mm, mr->addr + cmd->offset,
				     cmd->length, cmd->access);
	if (IS_ERR(lg->keys)) {
		ret = PTR_ERR(lg->keys);
		lg->keys = NULL;
		goto err_free;
	}
	lg->id = atomic64_inc_return(&bulk_next_grant_id);
	lg->mr = mr;
	lg->allowed_ep = conn->remote_ep;
	lg->peer = conn->peer;
	ret = xa_insert(&ep->grants, lg->id, lg, GFP_KERNEL);
	if (ret)
		goto err_free;
	/* Counted before the node can use it: dereg must see it. */
	atomic_inc(&mr->num_grants);
	bulk_peer_get(lg->peer);

	mtx->msg.src_ep = cpu_to_le32(ep->id);
	mtx->msg.dst_ep = cpu_to_le32(conn->remote_ep);
	mtx->msg.id = cpu_to_le64(lg->id);
	mtx->msg.length = cpu_to_le64(cmd->length);
	mtx->msg.access = cpu_to_le32(cmd->access);
	bulk_gkeys_fill_first(lg->keys, &mtx->msg);
	ret = bulk_grant_send(lg, mtx);
	if (ret) {
		xa_erase(&ep->grants, lg->id);
		bulk_gkeys_destroy(lg->keys);
		atomic_dec(&mr->num_grants);
		bulk_peer_put(lg->peer);
		kfree(lg);
		return ret;
	}
	*grant_id = lg->id;
	return 0;

err_free:
	if (lg && lg->keys)
		bulk_gkeys_destroy(lg->keys);
	kfree(mtx);
	kfree(lg);
	return ret;
}

/*
 * Withdraw a grant the caller took out of ep->grants. @closing: its
 * endpoint is closing (the process exits or closed it), which the node
 * learns from the revoke's status and reports on its handles.
 */
static void bulk_lgrant_revoke(struct bulk_lgrant *lg, bool closing)
{
	struct bulk_peer *peer = lg->peer;
	struct bulk_msg_tx *mtx;

	if (peer->state == BULK_PEER_READY) {
		mtx = bulk_msg_alloc(BULK_MSG_REVOKE, GFP_KERNEL);
		if (mtx) {
			mtx->msg.id = cpu_to_le64(lg->id);
			if (closing)
				mtx->msg.status = cpu_to_le32(ECONNRESET);
			/*
			 * Any answer but 0 (or a node that does not answer,
			 * which gets killed) leaves the key unsafe: drop the
			 * connection, and the key with its QP.
			 */
			if (bulk_peer_request_wait(peer, mtx,
						   BULK_GRANT_TIMEOUT))
				bulk_peer_kill(peer, -ECONNRESET);
		} else {
			bulk_peer_kill(peer, -ENOMEM);
		}
	}
	/*
	 * A dead peer needs no revoke: its QPs are torn down. Either way the
	 * device forgets the keys now, before the revoke returns.
	 */
	bulk_gkeys_destroy(lg->keys);
	if (atomic_dec_and_test(&lg->mr->num_grants))
		wake_up_var(&lg->mr->num_grants);
	bulk_peer_put(peer);
	kfree(lg);
}

int bulk_revoke(struct ib_bulk_conn *conn, u64 grant_id)
{
	struct bulk_lgrant *lg;

	xa_lock(&conn->ep->grants);
	lg = xa_load(&conn->ep->grants, grant_id);
	if (lg && lg->peer == conn->peer)
		__xa_erase(&conn->ep->grants, grant_id);
	else
		lg = NULL;
	xa_unlock(&conn->ep->grants);
	if (!lg)
		return -ENOENT;
	bulk_lgrant_revoke(lg, false);
	return 0;
}

/* Revoke every grant of an MR that is going away (@closing: with its ep). */
void bulk_revoke_mr(struct ib_bulk_mr *mr, bool closing)
{
	struct ib_bulk_ep *ep = mr->ep;
	struct bulk_lgrant *lg;
	unsigned long index;

	xa_for_each(&ep->grants, index, lg) {
		if (lg->mr == mr && xa_erase(&ep->grants, index) == lg)
			bulk_lgrant_revoke(lg, closing);
	}
	/* Revokes running in other threads finish first. */
	wait_var_event(&mr->num_grants, !atomic_read(&mr->num_grants));
}

/* GRANT from the owner's kernel: remember it for our endpoint dst_ep. */
void bulk_rgrant_recv(struct bulk_peer *peer, const struct bulk_msg *msg)
{
	u32 nkeys = le32_to_cpu(msg->nkeys);
	u32 seq = le32_to_cpu(msg->seq);
	u8 shift = msg->key_shift;
	struct bulk_rgrant *rg;
	struct ib_bulk_ep *ep;
	u64 addr, length;
	int ret;

	/* The keys must cover the range exactly. */
	addr = le64_to_cpu(msg->addr);
	length = le64_to_cpu(msg->length);
	if (!bulk_gkeys_fit(addr, length, nkeys, shift)) {
		bulk_msg_ack(peer, seq, EINVAL, 0);
		return;
	}
	rg = kzalloc(struct_size(rg, rkeys, nkeys), GFP_KERNEL);
	if (!rg) {
		bulk_msg_ack(peer, seq, ENOMEM, 0);
		return;
	}
	rg->id = le64_to_cpu(msg->id);
	rg->owner_ep = le32_to_cpu(msg->src_ep);
	rg->allowed_ep = le32_to_cpu(msg->dst_ep);
	rg->addr = addr;
	rg->length = length;
	rg->access = le32_to_cpu(msg->access);
	rg->nkeys = nkeys;
	rg->key_shift = shift;
	rg->rkeys[0] = le32_to_cpu(msg->rkey);
	rg->missing = nkeys - 1;
	rg->grant_seq = seq;

	ret = ECONNREFUSED;
	ep = bulk_ep_lookup(rg->allowed_ep);
	if (!ep)
		goto err;
	bulk_ep_put(ep);
	ret = xa_insert(&peer->grants, rg->id, rg, GFP_KERNEL) ? EEXIST : 0;
	if (ret)
		goto err;
	/* With more keys to come, their last GRANT_KEY gets the answer. */
	if (!rg->missing)
		bulk_msg_ack(peer, seq, 0, 0);
	return;

err:
	kfree(rg);
	bulk_msg_ack(peer, seq, ret, 0);
}

/*
 * GRANT_KEY: the next key of a grant whose GRANT came before it. One for a
 * grant we refused is dropped; one out of order costs the connection.
 */
void bulk_rgrant_key_recv(struct bulk_peer *peer, const struct bulk_msg *msg)
{
	u32 k = le32_to_cpu(msg->nkeys);
	struct bulk_rgrant *rg;
	bool bad = false;
	u32 seq = 0;

	spin_lock(&peer->lock);
	rg = xa_load(&peer->grants, le64_to_cpu(msg->id));
	if (rg) {
		if (!rg->missing || k != rg->nkeys - rg->missing) {
			bad = true;
		} else {
			rg->rkeys[k] = le32_to_cpu(msg->rkey);
			if (!--rg->missing)
				seq = rg->grant_seq;
		}
	}
	spin_unlock(&peer->lock);
	if (bad)
		bulk_peer_kill(peer, -EPROTO);
	else if (seq)
		bulk_msg_ack(peer, seq, 0, 0);
}

/*
 * REVOKE: no new use; acknowledge once the uses in flight are done. A
 * status of ECONNRESET says the owner endpoint is closing: our handles on
 * it are reset first, under the lock that a use of the grant takes.
 */
void bulk_rgrant_revoke_recv(struct bulk_peer *peer,
			     const struct bulk_msg *msg)
{
	u32 seq = le32_to_cpu(msg->seq);
	struct bulk_rgrant *rg;
	bool drained = false;

	spin_lock(&peer->lock);
	rg = xa_load(&peer->grants, le64_to_cpu(msg->id));
	if (rg && !rg->revoking) {
		if (le32_to_cpu(msg->status) == ECONNRESET)
			bulk_conns_reset_locked(peer, rg->owner_ep);
		xa_erase(&peer->grants, rg->id);
		rg->revoking = true;
		rg->revoke_seq = seq;
		drained = !rg->inflight;
		if (drained)
			kfree(rg);
	}
	spin_unlock(&peer->lock);
	if (!rg)
		bulk_msg_ack(peer, seq, ENOENT, 0);
	else if (drained)
		bulk_msg_ack(peer, seq, 0, 0);
}

/**
 * bulk_rgrant_use - check a WRITE or READ against the peer's grants
 * @peer: the node the operation goes to
 * @op: the operation; gets the remote address, key and grant
 * @uop: the request
 * @src_ep: our endpoint posting it
 * @owner_ep: the remote endpoint the connection handle names
 * @need: IB_UVERBS_BULK_ACCESS_REMOTE_WRITE or _READ
 *
 * Return: 0 with the grant's use counted, -EACCES (no such grant, revoked,
 * granted to another endpoint or without @need), -ERANGE, or why the
 * connection died (its grants died with it).
 */
int bulk_rgrant_use(struct bulk_peer *peer, struct bulk_op *op,
		    const struct ib_uverbs_bulk_op *uop, u32 src_ep,
		    u32 owner_ep, u32 need)
{
	struct bulk_rgrant *rg;
	u64 end;
	int ret = -EACCES;

	spin_lock(&peer->lock);
	if (peer->state == BULK_PEER_DEAD) {
		ret = peer->error ?: -ECONNRESET;
		goto out;
	}
	rg = xa_load(&peer->grants, uop->remote_grant);
	if (!rg || rg->revoking || rg->missing || rg->allowed_ep != src_ep ||
	    rg->owner_ep != owner_ep || (rg->access & need) != need)
		goto out;
	ret = -ERANGE;
	if (check_add_overflow(uop->remote_offset, uop->length, &end) ||
	    end > rg->length)
		goto out;
	rg->inflight++;
	op->rgrant = rg;
	/* Each work request takes the key of its address (op.c). */
	op->raddr = rg->addr + uop->remote_offset;
	ret = 0;
out:
	spin_unlock(&peer->lock);
	return ret;
}

/* An operation is done with its grant; a revoke may be waiting for that. */
void bulk_rgrant_put(struct bulk_peer *peer, struct bulk_rgrant *rg)
{
	u32 seq = 0;

	spin_lock(&peer->lock);
	if (!--rg->inflight && rg->revoking) {
		seq = rg->revoke_seq;
		kfree(rg);
	}
	spin_unlock(&peer->lock);
	if (seq)
		bulk_msg_ack(peer, seq, 0, 0);
}
