// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk keepalive: find a dead node while something waits for its answer.
 *
 * A SEND or an immediate is done only when the receiving node answers,
 * after it has moved the data. If the node dies after its RC ACK of our
 * message, nothing of ours is left on the wire to fail, and on an
 * otherwise idle connection the operation would wait until the next work
 * request. So while requests wait and the connection completes nothing
 * for BULK_KEEPALIVE_IDLE, a PING goes out: a live node acknowledges it
 * in the transport (which counts as progress), and a dead one makes it
 * fail after the QP's retries, which kills the peer and fails what waits.
 * Idle connections that owe us nothing are never probed.
 */

#include "bulk.h"

#define BULK_KEEPALIVE_IDLE	(5 * HZ)

/* The work holds a peer reference while it is queued. */
static void bulk_keepalive_queue(struct bulk_peer *peer)
{
	bulk_peer_get(peer);
	if (!queue_delayed_work(bulk_wq, &peer->keepalive,
				BULK_KEEPALIVE_IDLE))
		bulk_peer_put(peer);
}

static void bulk_keepalive_work(struct work_struct *work)
{
	struct bulk_peer *peer = container_of(to_delayed_work(work),
					      struct bulk_peer, keepalive);
	struct bulk_msg_tx *mtx;

	if (READ_ONCE(peer->state) != BULK_PEER_DEAD &&
	    !xa_empty(&peer->reqs)) {
		if (time_after_eq(jiffies, READ_ONCE(peer->progress) +
				  BULK_KEEPALIVE_IDLE)) {
			mtx = bulk_msg_alloc(BULK_MSG_PING, GFP_KERNEL);
			if (mtx)
				bulk_msg_send(peer, mtx);
		}
		bulk_keepalive_queue(peer);
	}
	bulk_peer_put(peer);
}

void bulk_keepalive_init(struct bulk_peer *peer)
{
	INIT_DELAYED_WORK(&peer->keepalive, bulk_keepalive_work);
}

/* A request now waits for @peer's answer: watch the connection. */
void bulk_keepalive_arm(struct bulk_peer *peer)
{
	if (!delayed_work_pending(&peer->keepalive))
		bulk_keepalive_queue(peer);
}

/* @peer died: what waited on it failed, nothing is left to watch. */
void bulk_keepalive_stop(struct bulk_peer *peer)
{
	if (cancel_delayed_work(&peer->keepalive))
		bulk_peer_put(peer);
}
