// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk peers: the node's one connection to each remote node, shared by
 * every endpoint of the device, and what hangs off it (requests waiting for
 * acknowledgments, the grants the node gave us).
 *
 * A peer is one generation of connectivity. When its connection fails it
 * dies: the operations and requests still waiting on it fail with the
 * error, the grants exchanged over it are forgotten on both sides (the
 * other node's peer dies too), and the next connect builds a new peer. A
 * node that could not be reached is not tried again before a backoff that
 * doubles with each failure, so a dead node does not stall every connect.
 */

#include <linux/inet.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <rdma/rdma_cm.h>
#include "bulk.h"

unsigned short bulk_port = 18720;
module_param_named(port, bulk_port, ushort, 0444);
MODULE_PARM_DESC(port, "RDMA CM port the node's bulk connections use (default 18720)");

/* Protects the peer table, the backoff list and peer state changes. */
DEFINE_MUTEX(bulk_peers_lock);
static LIST_HEAD(bulk_peers);

/*
 * Peers in memory, live or dying. They do not pin the module (a cached
 * connection must not keep it loaded); module exit kills them and waits.
 */
static atomic_t bulk_peers_live = ATOMIC_INIT(0);

struct workqueue_struct *bulk_wq;

/*
 * Nodes that failed recently, so the backoff survives the dead peer. Kept
 * small: a node is forgotten once a connection to it succeeds.
 */
struct bulk_backoff {
	struct list_head list;
	struct bulk_dev *dev;
	struct sockaddr_storage addr;
	unsigned long retry_at;
	unsigned int delay_ms;
};

static LIST_HEAD(bulk_backoffs);

#define BULK_BACKOFF_MIN_MS	1000
#define BULK_BACKOFF_MAX_MS	30000

/**
 * bulk_addr_cmp() - order two node addresses (ports ignored)
 * @a: an AF_INET or AF_INET6 address
 * @b: another
 *
 * A node is its address: IPv4 before IPv6, then by the address bytes; two
 * IPv6 link-local addresses differ by scope too when both name one (a
 * request's source may come without it).
 *
 * Return: <0, 0 or >0 as @a sorts before, with or after @b.
 */
int bulk_addr_cmp(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;
	int ret;

	if (a->sa_family != b->sa_family)
		return a->sa_family < b->sa_family ? -1 : 1;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)b)->sin_addr,
			      sizeof(struct in_addr));
	ret = memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(struct in6_addr));
	if (ret || !(ipv6_addr_type(&a6->sin6_addr) & IPV6_ADDR_LINKLOCAL) ||
	    !a6->sin6_scope_id || !b6->sin6_scope_id ||
	    a6->sin6_scope_id == b6->sin6_scope_id)
		return ret;
	return a6->sin6_scope_id < b6->sin6_scope_id ? -1 : 1;
}

static struct bulk_backoff *bulk_backoff_find(struct bulk_dev *dev,
					      const struct sockaddr *addr)
{
	struct bulk_backoff *b;

	list_for_each_entry(b, &bulk_backoffs, list)
		if (b->dev == dev &&
		    !bulk_addr_cmp((struct sockaddr *)&b->addr, addr))
			return b;
	return NULL;
}

/* Under bulk_peers_lock: the connection to @peer's node failed. */
static void bulk_backoff_failed(struct bulk_peer *peer)
{
	struct bulk_backoff *b;

	b = bulk_backoff_find(peer->dev, (struct sockaddr *)&peer->addr);
	if (!b) {
		b = kzalloc(sizeof(*b), GFP_KERNEL);
		if (!b)
			return;
		b->dev = peer->dev;
		b->addr = peer->addr;
		b->delay_ms = BULK_BACKOFF_MIN_MS / 2;
		list_add(&b->list, &bulk_backoffs);
	}
	b->delay_ms = min(b->delay_ms * 2, BULK_BACKOFF_MAX_MS);
	b->retry_at = jiffies + msecs_to_jiffies(b->delay_ms);
}

static void bulk_backoff_forget(struct bulk_peer *peer)
{
	struct bulk_backoff *b;

	b = bulk_backoff_find(peer->dev, (struct sockaddr *)&peer->addr);
	if (b) {
		list_del(&b->list);
		kfree(b);
	}
}

static void bulk_peer_kill_work(struct work_struct *work);

void bulk_peer_get(struct bulk_peer *peer)
{
	kref_get(&peer->ref);
}

static void bulk_peer_release(struct kref *ref)
{
	struct bulk_peer *peer = container_of(ref, struct bulk_peer, ref);

	WARN_ON(!xa_empty(&peer->reqs) || !xa_empty(&peer->grants) ||
		!xa_empty(&peer->keyed));
	xa_destroy(&peer->reqs);
	xa_destroy(&peer->grants);
	xa_destroy(&peer->keyed);
	bulk_dev_put(peer->dev);
	kfree(peer);
	if (atomic_dec_and_test(&bulk_peers_live))
		wake_up_var(&bulk_peers_live);
}

void bulk_peer_put(struct bulk_peer *peer)
{
	kref_put(&peer->ref, bulk_peer_release);
}

struct bulk_peer *bulk_peer_find_locked(struct bulk_dev *dev,
					const struct sockaddr *addr)
{
	struct bulk_peer *peer;

	lockdep_assert_held(&bulk_peers_lock);
	list_for_each_entry(peer, &bulk_peers, list)
		if (peer->dev == dev &&
		    !bulk_addr_cmp((struct sockaddr *)&peer->addr, addr))
			return peer;
	return NULL;
}

#if IS_ENABLED(CONFIG_INFINIBAND_BULK_HOSTILE_TEST)
/*
 * The first live peer that @match accepts, referenced, or NULL. @match
 * runs under the peer table's lock and may take the peer's.
 */
struct bulk_peer *bulk_peer_get_match(bulk_peer_match_t match, void *arg)
{
	struct bulk_peer *peer, *found = NULL;

	mutex_lock(&bulk_peers_lock);
	list_for_each_entry(peer, &bulk_peers, list) {
		if (match(peer, arg)) {
			kref_get(&peer->ref);
			found = peer;
			break;
		}
	}
	mutex_unlock(&bulk_peers_lock);
	return found;
}
#endif

/* A new peer in the table, CONNECTING, with no QP yet. */
struct bulk_peer *bulk_peer_alloc_locked(struct bulk_dev *dev,
					 const struct sockaddr *addr)
{
	struct bulk_peer *peer;

	lockdep_assert_held(&bulk_peers_lock);
	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return NULL;
	atomic_inc(&bulk_peers_live);
	kref_init(&peer->ref);
	kref_get(&dev->ref);
	peer->dev = dev;
	memcpy(&peer->addr, addr, addr->sa_family == AF_INET ?
	       sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	spin_lock_init(&peer->lock);
	init_waitqueue_head(&peer->wq);
	INIT_LIST_HEAD(&peer->txq);
	INIT_LIST_HEAD(&peer->msgq);
	xa_init_flags(&peer->reqs, XA_FLAGS_ALLOC1);
	xa_init(&peer->grants);
	xa_init(&peer->keyed);
	INIT_LIST_HEAD(&peer->conns);
	INIT_WORK(&peer->kill_work, bulk_peer_kill_work);
	bulk_keepalive_init(peer);
	peer->state = BULK_PEER_CONNECTING;
	list_add(&peer->list, &bulk_peers);
	return peer;
}

/*
 * Our own connection to the node is up (the QP we connected, or the one we
 * accepted). A connection to this very node is ready once the connecting
 * side is: the accepting side only receives.
 */
void bulk_peer_established(struct bulk_qp *bq)
{
	struct bulk_peer *peer = bq->peer;

	mutex_lock(&bulk_peers_lock);
	spin_lock(&peer->lock);
	if (peer->state == BULK_PEER_CONNECTING &&
	    (bq == peer->active || (bq == peer->rx && !peer->self))) {
		peer->tx_ours = bq == peer->active;
		if (bq == peer->active)
			peer->active = NULL;
		else
			peer->rx = NULL;
		peer->tx = bq;
		peer->state = BULK_PEER_READY;
	}
	spin_unlock(&peer->lock);
	if (peer->state == BULK_PEER_READY)
		bulk_backoff_forget(peer);
	mutex_unlock(&bulk_peers_lock);
	wake_up_all(&peer->wq);
	bulk_peer_kick(peer);
}

/* @from: who decided, for the log line of a connection that was up. */
static void bulk_peer_do_kill(struct bulk_peer *peer, int error,
			      unsigned long from)
{
	bool was_ready;

	lockdep_assert_held(&bulk_peers_lock);
	spin_lock(&peer->lock);
	if (peer->state == BULK_PEER_DEAD) {
		spin_unlock(&peer->lock);
		return;
	}
	was_ready = peer->state == BULK_PEER_READY;
	peer->state = BULK_PEER_DEAD;
	peer->error = error;
	spin_unlock(&peer->lock);
	list_del_init(&peer->list);
	if (!was_ready)
		bulk_backoff_failed(peer);
	else
		pr_info_ratelimited("ib_bulk: %s: connection to %pISc lost: %pe (%pS)\n",
				    dev_name(&peer->dev->ibdev->dev), &peer->addr,
				    ERR_PTR(error), (void *)from);

	wake_up_all(&peer->wq);
	/* The table's reference moves to the work. */
	queue_work(bulk_wq, &peer->kill_work);
}

/**
 * bulk_peer_kill - the connection to a node failed or is being shut down
 * @peer: the peer
 * @error: what waiters and operations see, a negative errno
 *
 * Idempotent and callable from CM callbacks and completion handlers: the
 * QPs are torn down from a work item.
 */
void bulk_peer_kill(struct bulk_peer *peer, int error)
{
	mutex_lock(&bulk_peers_lock);
	bulk_peer_do_kill(peer, error, _RET_IP_);
	mutex_unlock(&bulk_peers_lock);
}

void bulk_peer_kill_locked(struct bulk_peer *peer, int error)
{
	bulk_peer_do_kill(peer, error, _RET_IP_);
}

static void bulk_peer_kill_work(struct work_struct *work)
{
	struct bulk_peer *peer = container_of(work, struct bulk_peer,
					      kill_work);
	struct bulk_qp *qps[3];
	struct bulk_rgrant *rg;
	struct bulk_req *req;
	struct bulk_op *op;
	unsigned long index;
	LIST_HEAD(msgq);
	LIST_HEAD(txq);
	int i;

	spin_lock(&peer->lock);
	qps[0] = peer->tx;
	qps[1] = peer->active;
	qps[2] = peer->rx;
	peer->tx = NULL;
	peer->active = NULL;
	peer->rx = NULL;
	list_splice_init(&peer->txq, &txq);
	list_splice_init(&peer->msgq, &msgq);
	spin_unlock(&peer->lock);

	/*
	 * Destroying the QPs flushes every posted work request: their
	 * operations complete with the peer's error.
	 */
	for (i = 0; i < ARRAY_SIZE(qps); i++)
		if (qps[i] && (i == 0 || qps[i] != qps[0]))
			bulk_qp_destroy_async(qps[i]);

	/* Nothing was posted for these. */
	bulk_qp_drop_queued(&msgq, &txq);

	xa_for_each(&peer->reqs, index, req) {
		if (xa_erase(&peer->reqs, index) == req)
			req->acked(req, peer->error, 0);
	}

	/* SENDs and RECVs whose keys will never all come. */
	xa_for_each(&peer->keyed, index, op) {
		if (xa_erase(&peer->keyed, index) == op)
			bulk_op_keys_abort(op, peer->error);
	}

	spin_lock(&peer->lock);
	xa_for_each(&peer->grants, index, rg) {
		xa_erase(&peer->grants, index);
		rg->revoking = true;
		if (!rg->inflight)
			kfree(rg);
	}
	spin_unlock(&peer->lock);

	bulk_keepalive_stop(peer);
	bulk_peer_put(peer);
}

/**
 * bulk_peer_connect - the ready peer for a node, connecting if needed
 * @dev: the local device
 * @addr: the node's address
 * @timeout: jiffies to wait for the connection
 *
 * Return: the peer, referenced, or an ERR_PTR: -ETIMEDOUT, -EINTR, or why
 * the connection failed (-ECONNREFUSED, -EHOSTUNREACH, -ENETUNREACH, ...).
 * A node that failed recently gives -EAGAIN until its backoff ends.
 */
struct bulk_peer *bulk_peer_connect(struct bulk_dev *dev,
				    const struct sockaddr *addr,
				    unsigned long timeout)
{
	struct bulk_backoff *backoff;
	struct bulk_peer *peer;
	struct bulk_qp *bq;
	long left;
	int ret;

	mutex_lock(&bulk_peers_lock);
	peer = bulk_peer_find_locked(dev, addr);
	if (peer) {
		bulk_peer_get(peer);
		mutex_unlock(&bulk_peers_lock);
		goto wait;
	}
	backoff = bulk_backoff_find(dev, addr);
	if (backoff && time_before(jiffies, backoff->retry_at)) {
		/* Failed a moment ago: try again after the backoff. */
		mutex_unlock(&bulk_peers_lock);
		return ERR_PTR(-EAGAIN);
	}
	peer = bulk_peer_alloc_locked(dev, addr);
	if (!peer) {
		mutex_unlock(&bulk_peers_lock);
		return ERR_PTR(-ENOMEM);
	}
	bulk_peer_get(peer);
	bq = bulk_qp_alloc(peer, NULL);
	if (IS_ERR(bq)) {
		mutex_unlock(&bulk_peers_lock);
		bulk_peer_kill(peer, PTR_ERR(bq));
		bulk_peer_put(peer);
		return ERR_CAST(bq);
	}
	peer->active = bq;
	ret = bulk_cm_connect(bq, addr);
	mutex_unlock(&bulk_peers_lock);
	if (ret) {
		bulk_peer_kill(peer, ret);
		bulk_peer_put(peer);
		return ERR_PTR(ret);
	}

wait:
	left = wait_event_interruptible_timeout(peer->wq,
						peer->state != BULK_PEER_CONNECTING,
						timeout);
	if (left > 0 && peer->state == BULK_PEER_READY)
		return peer;
	if (left > 0) {
		ret = peer->error;
	} else {
		ret = left ? -EINTR : -ETIMEDOUT;
		/*
		 * Our attempt lost a simultaneous connect and the node's own
		 * request never came: nothing will finish this peer.
		 */
		spin_lock(&peer->lock);
		if (peer->state != BULK_PEER_CONNECTING || peer->active ||
		    peer->rx)
			left = -1;
		spin_unlock(&peer->lock);
		if (left >= 0)
			bulk_peer_kill(peer, -ETIMEDOUT);
	}
	bulk_peer_put(peer);
	return ERR_PTR(ret);
}

/* Kill every peer on a departing device (all: NULL) and wait for its QPs. */
void bulk_peer_kill_dev(struct bulk_dev *dev)
{
	struct bulk_backoff *b, *tmp;
	struct bulk_peer *peer, *ptmp;

	mutex_lock(&bulk_peers_lock);
	list_for_each_entry_safe(peer, ptmp, &bulk_peers, list)
		if (!dev || peer->dev == dev)
			bulk_peer_kill_locked(peer, -ENODEV);
	list_for_each_entry_safe(b, tmp, &bulk_backoffs, list) {
		if (!dev || b->dev == dev) {
			list_del(&b->list);
			kfree(b);
		}
	}
	mutex_unlock(&bulk_peers_lock);
	/*
	 * Connection handles of endpoints keep dead peers in memory, but
	 * their QPs go now: no QP may outlive its device.
	 */
	if (dev)
		wait_var_event(&dev->num_qps, !atomic_read(&dev->num_qps));
	else
		wait_var_event(&bulk_qps_live, !atomic_read(&bulk_qps_live));
}

int bulk_peer_init(void)
{
	bulk_wq = alloc_workqueue("ib_bulk", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return bulk_wq ? 0 : -ENOMEM;
}

/* Module exit: no endpoint exists, so nothing holds a peer but its work. */
void bulk_peer_exit(void)
{
	bulk_peer_kill_dev(NULL);
	wait_var_event(&bulk_peers_live, !atomic_read(&bulk_peers_live));
	destroy_workqueue(bulk_wq);
}

/* Track @req until the node acknowledges @seq. */
int bulk_peer_req_add(struct bulk_peer *peer, struct bulk_req *req, u32 *seq)
{
	if (xa_alloc_cyclic(&peer->reqs, seq, req, xa_limit_32b,
			    &peer->next_seq, GFP_KERNEL) < 0)
		return -ENOMEM;
	/*
	 * The kill work fails the requests it finds after the peer died;
	 * one added behind its back is taken back here.
	 */
	smp_mb();
	if (READ_ONCE(peer->state) == BULK_PEER_DEAD &&
	    xa_erase(&peer->reqs, *seq) == req)
		return peer->error;
	bulk_keepalive_arm(peer);
	return 0;
}

/* The request for @seq, now owned by the caller, or NULL. */
struct bulk_req *bulk_peer_req_take(struct bulk_peer *peer, u32 seq)
{
	return xa_erase(&peer->reqs, seq);
}

static void bulk_req_wait_acked(struct bulk_req *req, int status,
				u64 byte_len)
{
	struct bulk_req_wait *w = container_of(req, struct bulk_req_wait, req);

	w->status = status;
	complete(&w->done);
}

/**
 * bulk_peer_request_wait - send a request and wait for its acknowledgment
 * @peer: the node
 * @mtx: the request, its seq filled here; consumed
 * @timeout: jiffies; a node that neither answers nor completes anything
 *	on the connection for that long is killed
 *
 * Return: 0, the node's answer as a negative errno, or the peer's error.
 */
int bulk_peer_request_wait(struct bulk_peer *peer, struct bulk_msg_tx *mtx,
			   unsigned long timeout)
{
	struct bulk_req_wait w;
	int ret;

	ret = bulk_peer_request_start(peer, mtx, &w);
	return ret ?: bulk_peer_request_finish(peer, &w, timeout);
}

/*
 * The first half of bulk_peer_request_wait(): send @mtx as a request that
 * @w waits for. Messages sent after it and before the wait follow it.
 */
int bulk_peer_request_start(struct bulk_peer *peer, struct bulk_msg_tx *mtx,
			    struct bulk_req_wait *w)
{
	u32 seq;
	int ret;

	w->req.acked = bulk_req_wait_acked;
	init_completion(&w->done);
	ret = bulk_peer_req_add(peer, &w->req, &seq);
	if (ret) {
		kfree(mtx);
		return ret;
	}
	w->seq = seq;
	mtx->msg.seq = cpu_to_le32(seq);
	bulk_peer_progress(peer);
	bulk_msg_send(peer, mtx);
	return 0;
}

/* The second half: wait for the answer to the request @w started. */
int bulk_peer_request_finish(struct bulk_peer *peer, struct bulk_req_wait *w,
			     unsigned long timeout)
{
	/*
	 * The request waits behind the data already on the send queue: on
	 * a slow link that may take longer than @timeout, which then runs
	 * from the last work request the connection completed.
	 */
	while (!wait_for_completion_timeout(&w->done, timeout)) {
		if (time_before(jiffies, READ_ONCE(peer->progress) + timeout))
			continue;
		/*
		 * A node that does not answer cannot be trusted to have
		 * applied the request: drop the connection, which voids
		 * every grant and key exchanged over it.
		 */
		bulk_peer_kill(peer, -ETIMEDOUT);
		/* The kill work fails the request, unless the answer won. */
		wait_for_completion(&w->done);
		break;
	}
	return w->status;
}

static void bulk_req_withdrawn_acked(struct bulk_req *req, int status,
				     u64 byte_len)
{
}

/* Stands in for a request whose waiter left: its answer is dropped. */
static struct bulk_req bulk_req_withdrawn = {
	.acked = bulk_req_withdrawn_acked,
};

/**
 * bulk_peer_ask - send a question and wait for its answer, or give up
 * @peer: the node
 * @mtx: the request, its seq filled here; consumed
 * @timeout: jiffies the caller waits, chosen by a process: maybe short
 *
 * For a request that changes nothing at the node (EP_CHECK). The
 * connection is shared by every process of the node, so one caller's
 * patience does not judge the node: a caller that gives up before
 * BULK_ANSWER_TIMEOUT withdraws its request, whose answer is then dropped
 * when it comes. A longer wait judges the node as
 * bulk_peer_request_wait() does.
 *
 * Return: 0, the node's answer as a negative errno, the peer's error, or
 * -ETIMEDOUT.
 */
int bulk_peer_ask(struct bulk_peer *peer, struct bulk_msg_tx *mtx,
		  unsigned long timeout)
{
	struct bulk_req_wait w;
	int ret;

	if (timeout >= BULK_ANSWER_TIMEOUT)
		return bulk_peer_request_wait(peer, mtx, timeout);
	ret = bulk_peer_request_start(peer, mtx, &w);
	if (ret)
		return ret;
	if (wait_for_completion_timeout(&w.done, timeout))
		return w.status;
	/* Unless the answer or the kill work took the request first. */
	if (xa_cmpxchg(&peer->reqs, w.seq, &w.req, &bulk_req_withdrawn,
		       GFP_KERNEL) == &w.req)
		return -ETIMEDOUT;
	wait_for_completion(&w.done);
	return w.status;
}
