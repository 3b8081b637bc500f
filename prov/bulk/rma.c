// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * FI_RMA: fi_write() and fi_read() on a peer's MR, named by the key the
 * peer's application gave fi_mr_reg() (mr_mode 0: the application picks
 * keys, remote addresses are offsets into the MR).
 *
 * No rkey reaches user space. The first RMA from an endpoint to a peer
 * endpoint with a key sends GRANT_REQ; the peer's provider registers the
 * MR with rdma-bulk on its endpoint (once) and grants the whole MR, with
 * the access given at fi_mr_reg(), to the asking endpoint alone, then
 * answers GRANT_ACK with the grant id. RMA to that peer and key then goes
 * straight to WRITE or READ through the grant; the peer's kernel checks
 * bounds and access. fi_close() of the MR revokes every grant of it, after
 * which the asking side's operations fail (EACCES), it forgets the grant
 * and asks again, and is told ENOKEY.
 *
 * The target's provider answers only when it makes progress (manual
 * progress, as for every message).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fi_bulk.h"

static uint32_t bulk_fi_bulk_access(uint64_t access)
{
	return (access & FI_REMOTE_READ ? IBV_BULK_ACCESS_REMOTE_READ : 0) |
	       (access & FI_REMOTE_WRITE ? IBV_BULK_ACCESS_REMOTE_WRITE : 0);
}

static struct bulk_fi_rkey *bulk_fi_rkey_find(struct bulk_fi_peer *peer,
					      uint64_t key)
{
	struct bf_list *pos, *tmp;

	bf_list_for_each_safe(pos, tmp, &peer->rkeys) {
		struct bulk_fi_rkey *rk =
			bf_container_of(pos, struct bulk_fi_rkey, link);

		if (rk->key == key)
			return rk;
	}
	return NULL;
}

static void bulk_fi_rkey_forget(struct bulk_fi_peer *peer, uint64_t key)
{
	struct bulk_fi_rkey *rk = bulk_fi_rkey_find(peer, key);

	if (rk && !rk->pending) {
		bf_list_del(&rk->link);
		free(rk);
	}
}

/* The end of an RMA: its completion (or error) and its resources. */
void bulk_fi_rma_done(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
		      int status)
{
	if (op->mr)
		ibv_bulk_dereg_mr(op->mr);
	free(op->copy);
	if (status)
		bulk_fi_rkey_forget(op->peer, op->tag);
	bulk_fi_tx_report(ep, op, status, 0);
	if (!status) {
		ep->stats.rma_ops++;
		ep->stats.rma_bytes += op->len;
	}
	free(op);
}

/* Post @op's WRITE or READ through the grant @rk of its peer. */
static void bulk_fi_rma_post(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
			     const struct bulk_fi_rkey *rk)
{
	struct ibv_bulk_op bop = {
		.wr_id = (uintptr_t)op,
		.opcode = op->flags & FI_READ ? IBV_BULK_OP_READ :
						IBV_BULK_OP_WRITE,
		.conn = op->peer->conn,
		.length = op->len,
		.remote_grant = rk->grant_id,
		.remote_offset = op->raddr,
	};
	int ret;

	if (!op->len) {
		bulk_fi_rma_done(ep, op, 0);
		return;
	}
	op->mr = ibv_bulk_reg_mr(ep->bep, op->buf, op->len, 0);
	if (!op->mr) {
		bulk_fi_rma_done(ep, op, errno ? errno : ENOMEM);
		return;
	}
	bop.mr = op->mr;
	ret = ibv_bulk_post(ep->bep, &bop, 1, NULL);
	if (ret)
		bulk_fi_rma_done(ep, op, ret);
}

static ssize_t bulk_fi_rma(struct bulk_fi_ep *ep, void *buf, size_t len,
			   fi_addr_t dest, uint64_t raddr, uint64_t key,
			   void *context, uint64_t flags, bool read)
{
	const struct bulk_fi_name *name;
	struct bulk_fi_peer *peer;
	struct bulk_fi_rkey *rk;
	struct bulk_fi_op *op;
	ssize_t ret;

	if (len && !buf)
		return -FI_EINVAL;
	if ((flags & FI_INJECT) && (read || len > BULK_FI_EAGER_MAX))
		return -FI_EINVAL;
	if (flags & FI_REMOTE_CQ_DATA)
		return -FI_ENOSYS;
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
	op->kind = BF_OP_RMA;
	op->slot = -1;
	op->peer = peer;
	op->context = context;
	op->tag = key;
	op->raddr = raddr;
	op->len = len;
	op->buf = buf;
	op->flags = FI_RMA | (read ? FI_READ : FI_WRITE);
	op->report = !(flags & FI_INJECT) &&
		     bulk_fi_op_completes(ep->tx_bind_flags, flags);
	if (flags & FI_INJECT) {
		op->copy = malloc(len ? len : 1);
		if (!op->copy) {
			free(op);
			goto out;
		}
		memcpy(op->copy, buf, len);
		op->buf = op->copy;
	}
	ret = bulk_fi_peer_conn(peer, ep);
	if (ret) {
		if (!bulk_fi_peer_gone(-ret)) {
			free(op->copy);
			free(op);
			goto out;
		}
		/* Not a bad call but its outcome: a CQ error entry. */
		bulk_fi_rma_done(ep, op, -ret);
		ret = 0;
		goto out;
	}
	ret = 0;
	rk = bulk_fi_rkey_find(peer, key);
	if (rk && !rk->pending) {
		bulk_fi_rma_post(ep, op, rk);
		goto out;
	}
	if (!rk) {
		struct bulk_fi_hdr req = {
			.type = BULK_FI_GRANT_REQ,
			.tag = htole64(key),
		};

		rk = calloc(1, sizeof(*rk));
		if (!rk) {
			free(op->copy);
			free(op);
			ret = -FI_ENOMEM;
			goto out;
		}
		rk->key = key;
		rk->pending = true;
		bf_list_add_tail(&peer->rkeys, &rk->link);
		bulk_fi_send_ctrl(ep, peer, &req);
	}
	/* Posted when the peer answers (bulk_fi_rma_incoming). */
	bf_list_add_tail(&ep->rma_wait, &op->link);
out:
	pthread_mutex_unlock(&ep->dom->lock);
	return ret;
}

/* The MR of @key with remote access, or NULL. */
static struct bulk_fi_mr *bulk_fi_mr_find(struct bulk_fi_domain *dom,
					  uint64_t key)
{
	struct bf_list *pos, *tmp;

	bf_list_for_each_safe(pos, tmp, &dom->rmrs) {
		struct bulk_fi_mr *mr =
			bf_container_of(pos, struct bulk_fi_mr, link);

		if (mr->mr.key == key)
			return mr;
	}
	return NULL;
}

/* @mr registered on @ep, registering it the first time. */
static struct bulk_fi_mr_use *bulk_fi_mr_use(struct bulk_fi_mr *mr,
					     struct bulk_fi_ep *ep)
{
	struct bf_list *pos, *tmp;
	struct bulk_fi_mr_use *use;

	bf_list_for_each_safe(pos, tmp, &mr->uses) {
		use = bf_container_of(pos, struct bulk_fi_mr_use, link);
		if (use->ep == ep)
			return use;
	}
	use = calloc(1, sizeof(*use));
	if (!use)
		return NULL;
	use->bmr = ibv_bulk_reg_mr(ep->bep, mr->buf, mr->len,
				   bulk_fi_bulk_access(mr->access));
	if (!use->bmr) {
		free(use);
		return NULL;
	}
	use->ep = ep;
	bf_list_init(&use->grants);
	bf_list_add_tail(&mr->uses, &use->link);
	return use;
}

/* A peer asks for the MR of a key: grant it, or say why not. */
static void bulk_fi_grant_req(struct bulk_fi_ep *ep, struct bulk_fi_peer *peer,
			      const struct bulk_fi_hdr *hdr)
{
	struct bulk_fi_hdr ack = {
		.type = BULK_FI_GRANT_ACK,
		.tag = hdr->tag,
	};
	struct bulk_fi_mr *mr = bulk_fi_mr_find(ep->dom, le64toh(hdr->tag));
	struct bulk_fi_rgrant *g = NULL;
	struct bulk_fi_mr_use *use;
	int status = 0;

	if (!mr) {
		status = ENOKEY;
		goto answer;
	}
	use = bulk_fi_mr_use(mr, ep);
	g = calloc(1, sizeof(*g));
	if (!use || !g) {
		status = use ? ENOMEM : (errno ? errno : ENOMEM);
		goto answer;
	}
	status = -bulk_fi_peer_conn(peer, ep);
	if (!status)
		status = ibv_bulk_grant(peer->conn, use->bmr, 0, mr->len,
					bulk_fi_bulk_access(mr->access),
					&g->grant_id);
	if (status)
		goto answer;
	g->peer = peer;
	bf_list_add_tail(&use->grants, &g->link);
	ack.grant_id = htole64(g->grant_id);
	ack.length = htole64(mr->len);
	ep->stats.grants_given++;
	g = NULL;
answer:
	free(g);
	ack.status = htole32(status);
	bulk_fi_send_ctrl(ep, peer, &ack);
}

/* The peer's answer: post, or fail, the RMA that waited for it. */
static void bulk_fi_grant_ack(struct bulk_fi_ep *ep, struct bulk_fi_peer *peer,
			      const struct bulk_fi_hdr *hdr)
{
	uint64_t key = le64toh(hdr->tag);
	int status = (int)le32toh(hdr->status);
	struct bulk_fi_rkey *rk = bulk_fi_rkey_find(peer, key), granted;
	struct bf_list *pos, *tmp;

	if (!rk || !rk->pending) {
		BF_WARN(FI_LOG_EP_DATA, "GRANT_ACK for no request\n");
		return;
	}
	rk->pending = false;
	rk->grant_id = le64toh(hdr->grant_id);
	/* A failed post forgets rk: the waiting ones use a copy. */
	granted = *rk;
	bf_list_for_each_safe(pos, tmp, &ep->rma_wait) {
		struct bulk_fi_op *op =
			bf_container_of(pos, struct bulk_fi_op, link);

		if (op->peer != peer || op->tag != key)
			continue;
		bf_list_del(&op->link);
		if (status)
			bulk_fi_rma_done(ep, op, status);
		else
			bulk_fi_rma_post(ep, op, &granted);
	}
	if (status)	/* asked again next time, maybe after a new fi_mr_reg */
		bulk_fi_rkey_forget(peer, key);
}

void bulk_fi_rma_incoming(struct bulk_fi_ep *ep, struct bulk_fi_peer *peer,
			  const struct bulk_fi_hdr *hdr)
{
	if (hdr->type == BULK_FI_GRANT_REQ)
		bulk_fi_grant_req(ep, peer, hdr);
	else
		bulk_fi_grant_ack(ep, peer, hdr);
}

/*
 * Revoke the grants of @mr and deregister it, on @ep only or (NULL) on
 * every endpoint it was used through. The domain's lock is held.
 */
void bulk_fi_mr_uses_free(struct bulk_fi_mr *mr, struct bulk_fi_ep *ep)
{
	struct bf_list *pos, *tmp, *gpos, *gtmp;

	bf_list_for_each_safe(pos, tmp, &mr->uses) {
		struct bulk_fi_mr_use *use =
			bf_container_of(pos, struct bulk_fi_mr_use, link);

		if (ep && use->ep != ep)
			continue;
		bf_list_for_each_safe(gpos, gtmp, &use->grants) {
			struct bulk_fi_rgrant *g =
				bf_container_of(gpos, struct bulk_fi_rgrant,
						link);

			if (g->peer->conn &&
			    ibv_bulk_revoke(g->peer->conn, g->grant_id))
				BF_WARN(FI_LOG_MR, "revoke of grant %llu failed\n",
					(unsigned long long)g->grant_id);
			free(g);
		}
		ibv_bulk_dereg_mr(use->bmr);
		bf_list_del(&use->link);
		free(use);
	}
}

/* @ep closes: what it granted of MRs goes, and its RMA still waiting. */
void bulk_fi_rma_ep_close(struct bulk_fi_ep *ep)
{
	struct bf_list *pos, *tmp;

	bf_list_for_each_safe(pos, tmp, &ep->dom->rmrs)
		bulk_fi_mr_uses_free(bf_container_of(pos, struct bulk_fi_mr,
						     link), ep);
	bf_list_for_each_safe(pos, tmp, &ep->rma_wait) {
		struct bulk_fi_op *op =
			bf_container_of(pos, struct bulk_fi_op, link);

		bf_list_del(&op->link);
		free(op->copy);
		free(op);
	}
}

/* The entry points. */
static ssize_t bf_read(struct fid_ep *ep, void *buf, size_t len, void *desc,
		       fi_addr_t src, uint64_t addr, uint64_t key,
		       void *context)
{
	struct bulk_fi_ep *e = bulk_fi_ep_of(ep);

	(void)desc;
	return bulk_fi_rma(e, buf, len, src, addr, key, context,
			   e->tx_op_flags, true);
}

static ssize_t bf_readv(struct fid_ep *ep, const struct iovec *iov,
			void **desc, size_t count, fi_addr_t src,
			uint64_t addr, uint64_t key, void *context)
{
	if (count > 1)
		return -FI_EINVAL;
	return bf_read(ep, count ? iov[0].iov_base : NULL,
		       count ? iov[0].iov_len : 0, desc ? desc[0] : NULL, src,
		       addr, key, context);
}

static ssize_t bf_rma_msg(struct fid_ep *ep, const struct fi_msg_rma *msg,
			  uint64_t flags, bool read)
{
	if (msg->iov_count > 1 || msg->rma_iov_count != 1)
		return -FI_EINVAL;
	if (msg->iov_count == 1 &&
	    msg->msg_iov[0].iov_len != msg->rma_iov[0].len)
		return -FI_EINVAL;
	return bulk_fi_rma(bulk_fi_ep_of(ep),
			   msg->iov_count ? msg->msg_iov[0].iov_base : NULL,
			   msg->iov_count ? msg->msg_iov[0].iov_len : 0,
			   msg->addr, msg->rma_iov[0].addr,
			   msg->rma_iov[0].key, msg->context, flags, read);
}

static ssize_t bf_readmsg(struct fid_ep *ep, const struct fi_msg_rma *msg,
			  uint64_t flags)
{
	return bf_rma_msg(ep, msg, flags, true);
}

static ssize_t bf_write(struct fid_ep *ep, const void *buf, size_t len,
			void *desc, fi_addr_t dest, uint64_t addr,
			uint64_t key, void *context)
{
	struct bulk_fi_ep *e = bulk_fi_ep_of(ep);

	(void)desc;
	return bulk_fi_rma(e, (void *)buf, len, dest, addr, key, context,
			   e->tx_op_flags, false);
}

static ssize_t bf_writev(struct fid_ep *ep, const struct iovec *iov,
			 void **desc, size_t count, fi_addr_t dest,
			 uint64_t addr, uint64_t key, void *context)
{
	if (count > 1)
		return -FI_EINVAL;
	return bf_write(ep, count ? iov[0].iov_base : NULL,
			count ? iov[0].iov_len : 0, desc ? desc[0] : NULL,
			dest, addr, key, context);
}

static ssize_t bf_writemsg(struct fid_ep *ep, const struct fi_msg_rma *msg,
			   uint64_t flags)
{
	return bf_rma_msg(ep, msg, flags, false);
}

static ssize_t bf_inject_write(struct fid_ep *ep, const void *buf,
			       size_t len, fi_addr_t dest, uint64_t addr,
			       uint64_t key)
{
	return bulk_fi_rma(bulk_fi_ep_of(ep), (void *)buf, len, dest, addr,
			   key, NULL, FI_INJECT, false);
}

/* Remote CQ data would need the WRITE's immediate raised at the target. */
static ssize_t bf_writedata(struct fid_ep *ep, const void *buf, size_t len,
			    void *desc, uint64_t data, fi_addr_t dest,
			    uint64_t addr, uint64_t key, void *context)
{
	(void)ep; (void)buf; (void)len; (void)desc; (void)data; (void)dest;
	(void)addr; (void)key; (void)context;
	return -FI_ENOSYS;
}

static ssize_t bf_injectdata(struct fid_ep *ep, const void *buf, size_t len,
			     uint64_t data, fi_addr_t dest, uint64_t addr,
			     uint64_t key)
{
	(void)ep; (void)buf; (void)len; (void)data; (void)dest; (void)addr;
	(void)key;
	return -FI_ENOSYS;
}

struct fi_ops_rma bulk_fi_rma_ops = {
	.size = sizeof(struct fi_ops_rma),
	.read = bf_read,
	.readv = bf_readv,
	.readmsg = bf_readmsg,
	.write = bf_write,
	.writev = bf_writev,
	.writemsg = bf_writemsg,
	.inject = bf_inject_write,
	.writedata = bf_writedata,
	.injectdata = bf_injectdata,
};
