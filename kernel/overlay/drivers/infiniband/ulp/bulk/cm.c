// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk connection management with RDMA CM: the node listens on one
 * well-known port (the module parameter "port") and keeps one RC QP per
 * (device, remote node).
 *
 * When two nodes connect to each other at once, each sees the other's
 * request while its own is in progress. The node with the lower address
 * rejects the incoming request (BULK_REJ_SIMULTANEOUS); the other accepts
 * it and abandons its own attempt, which the first node rejects. Both end
 * with the one QP the lower node initiated.
 *
 * A connection to the node's own address has two QPs, as any RC loopback
 * does: the connecting side sends, the accepting side only receives, and
 * both belong to the one peer.
 */

#include <linux/in.h>
#include <rdma/ib_cm.h>
#include <rdma/rdma_cm.h>
#include "bulk.h"

#define BULK_RESOLVE_TIMEOUT_MS	2000

/* One listener per family: a v4 request must not arrive as v4-mapped v6. */
static struct rdma_cm_id *bulk_listen_id, *bulk_listen6_id;

static void bulk_cm_param(struct bulk_qp *bq, struct rdma_conn_param *param,
			  struct bulk_cm_pdata *pdata)
{
	const struct ib_device_attr *attrs = &bq->cm_id->device->attrs;

	pdata->magic = cpu_to_le32(BULK_PROTO_MAGIC);
	pdata->version = BULK_PROTO_VERSION;
	memset(param, 0, sizeof(*param));
	param->private_data = pdata;
	param->private_data_len = sizeof(*pdata);
	/* READs in flight at once, each way. */
	param->initiator_depth = min_t(int, 16, attrs->max_qp_init_rd_atom);
	param->responder_resources = min_t(int, 16, attrs->max_qp_rd_atom);
	/*
	 * A node that stops answering must fail what waits on it: six
	 * retries of the ACK timeout, then the QP errors out. On RoCE, RDMA
	 * CM's packet lifetime makes that timeout 4.096 us << 17, about
	 * 0.54 s: some 4 s in all. Not 7: rxe takes 7 as "retry forever".
	 */
	param->retry_count = 6;
	/* The engine never overruns the receive buffers; be patient. */
	param->rnr_retry_count = 7;
}

static void bulk_cm_reject(struct rdma_cm_id *id, u8 reason)
{
	struct bulk_cm_pdata pdata = {
		.magic = cpu_to_le32(BULK_PROTO_MAGIC),
		.version = BULK_PROTO_VERSION,
		.reason = reason,
	};

	rdma_reject(id, &pdata, sizeof(pdata), IB_CM_REJ_CONSUMER_DEFINED);
}

static u8 bulk_cm_reject_reason(struct rdma_cm_id *id,
				struct rdma_cm_event *ev)
{
	const struct bulk_cm_pdata *pdata;
	u8 len = 0;

	pdata = rdma_consumer_reject_data(id, ev, &len);
	if (!pdata || len < sizeof(*pdata) ||
	    le32_to_cpu(pdata->magic) != BULK_PROTO_MAGIC)
		return 0;
	return pdata->reason;
}

/* Under bulk_peers_lock: a request from @dst to us at @src on @dev. */
static struct bulk_peer *bulk_cm_req_peer(struct bulk_dev *dev,
					  struct sockaddr *src,
					  struct sockaddr *dst, u8 *reason)
{
	struct bulk_peer *peer = bulk_peer_find_locked(dev, dst);
	struct bulk_qp *active;

	if (!bulk_addr_cmp(src, dst)) {
		/* Our own connect, arriving at our listener. */
		if (!peer || !peer->active || peer->rx)
			return NULL;
		peer->self = true;
		return peer;
	}
	if (peer && peer->state == BULK_PEER_CONNECTING) {
		if (peer->rx)
			return NULL;	/* a second request while one is pending */
		if (!peer->active)
			return peer;	/* ours lost the race: this is the one */
		if (bulk_addr_cmp(src, dst) < 0) {
			*reason = BULK_REJ_SIMULTANEOUS;
			return NULL;
		}
		spin_lock(&peer->lock);
		active = peer->active;
		peer->active = NULL;
		active->abandoned = true;
		spin_unlock(&peer->lock);
		return peer;
	}
	if (peer && peer->tx_ours && bulk_addr_cmp(src, dst) < 0) {
		/*
		 * The node's own attempt of a simultaneous connect, arriving
		 * after ours won: it abandoned it already.
		 */
		*reason = BULK_REJ_SIMULTANEOUS;
		return NULL;
	}
	if (peer) {
		/*
		 * The node connects although we hold a connection to it: it
		 * restarted, and ours is stale.
		 */
		bulk_peer_kill_locked(peer, -ECONNRESET);
	}
	return bulk_peer_alloc_locked(dev, dst);
}

static int bulk_cm_request(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	const struct bulk_cm_pdata *pdata = ev->param.conn.private_data;
	struct sockaddr *src = (struct sockaddr *)&id->route.addr.src_addr;
	struct sockaddr *dst = (struct sockaddr *)&id->route.addr.dst_addr;
	struct rdma_conn_param param;
	struct bulk_cm_pdata rep = {};
	u8 reason = BULK_REJ_BAD_REQUEST;
	struct bulk_peer *peer;
	struct bulk_dev *dev;
	struct bulk_qp *bq;
	int ret;

	if (!pdata || ev->param.conn.private_data_len < sizeof(*pdata) ||
	    le32_to_cpu(pdata->magic) != BULK_PROTO_MAGIC ||
	    pdata->version != BULK_PROTO_VERSION)
		goto reject;
	dev = bulk_dev_get(id->device);
	if (!dev)
		goto reject;

	mutex_lock(&bulk_peers_lock);
	peer = bulk_cm_req_peer(dev, src, dst, &reason);
	if (!peer) {
		mutex_unlock(&bulk_peers_lock);
		bulk_dev_put(dev);
		goto reject;
	}
	bq = bulk_qp_alloc(peer, id);
	if (IS_ERR(bq)) {
		ret = PTR_ERR(bq);
		goto err_unlock;
	}
	ret = bulk_qp_setup(bq);
	if (ret)
		goto err_free;
	spin_lock(&peer->lock);
	peer->rx = bq;
	spin_unlock(&peer->lock);
	mutex_unlock(&bulk_peers_lock);
	bulk_dev_put(dev);

	bulk_cm_param(bq, &param, &rep);
	ret = rdma_accept(id, &param);
	if (ret) {
		/* The peer's death tears the QP and the id down. */
		bulk_peer_kill(peer, ret);
	}
	return 0;

err_free:
	bulk_qp_free_unused(bq);
err_unlock:
	if (peer->state == BULK_PEER_CONNECTING && !peer->tx &&
	    !peer->active && !peer->rx)
		bulk_peer_kill_locked(peer, ret);
	mutex_unlock(&bulk_peers_lock);
	bulk_dev_put(dev);
reject:
	bulk_cm_reject(id, reason);
	/* Non-zero: RDMA CM destroys the new id. */
	return -ECONNREFUSED;
}

static int bulk_cm_event_errno(struct rdma_cm_event *ev, int fallback)
{
	return ev->status < 0 ? ev->status : fallback;
}

/* The events of one QP's id, under bq->lock. */
static void bulk_cm_qp_event(struct bulk_qp *bq, struct rdma_cm_id *id,
			     struct rdma_cm_event *ev)
{
	struct bulk_peer *peer = bq->peer;
	struct rdma_conn_param param;
	struct bulk_cm_pdata pdata = {};
	int err = 0;

	if (bq->abandoned && ev->event != RDMA_CM_EVENT_TIMEWAIT_EXIT) {
		/* Lost a simultaneous connect: the accepted QP serves. */
		bulk_qp_destroy_async(bq);
		return;
	}

	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
		if (id->device != peer->dev->ibdev) {
			/* The route leaves through another device. */
			err = -ENETUNREACH;
			break;
		}
		err = rdma_resolve_route(id, BULK_RESOLVE_TIMEOUT_MS);
		break;
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		err = bulk_qp_setup(bq);
		if (err)
			break;
		bulk_cm_param(bq, &param, &pdata);
		err = rdma_connect_locked(id, &param);
		break;
	case RDMA_CM_EVENT_ESTABLISHED:
		bulk_peer_established(bq);
		break;
	case RDMA_CM_EVENT_REJECTED:
		err = bulk_cm_reject_reason(id, ev) == BULK_REJ_SIMULTANEOUS ?
		      -EAGAIN : -ECONNREFUSED;
		if (err == -EAGAIN) {
			/*
			 * The node's own request reaches us (or did): wait
			 * for it instead of failing the peer.
			 */
			bq->abandoned = true;
			spin_lock(&peer->lock);
			if (peer->active == bq)
				peer->active = NULL;
			spin_unlock(&peer->lock);
			bulk_qp_destroy_async(bq);
			err = 0;
		}
		break;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
		err = bulk_cm_event_errno(ev, -EHOSTUNREACH);
		break;
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
		err = -EHOSTUNREACH;
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
		err = -ECONNRESET;
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		err = -ENODEV;
		break;
	default:
		break;
	}
	if (err)
		bulk_peer_kill(peer, err);
}

int bulk_cm_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct bulk_qp *bq = id->context;

	if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST)
		return bulk_cm_request(id, ev);
	if (!bq)
		return 0;	/* the listener's own events */

	mutex_lock(&bq->lock);
	if (!bq->dying)
		bulk_cm_qp_event(bq, id, ev);
	mutex_unlock(&bq->lock);
	return 0;
}

/* Start connecting @bq's id to the node at @addr (under bulk_peers_lock). */
int bulk_cm_connect(struct bulk_qp *bq, const struct sockaddr *addr)
{
	struct sockaddr_storage dst = {};

	if (addr->sa_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&dst;

		*sin = *(const struct sockaddr_in *)addr;
		if (!sin->sin_port)
			sin->sin_port = htons(bulk_port);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&dst;

		*sin6 = *(const struct sockaddr_in6 *)addr;
		if (!sin6->sin6_port)
			sin6->sin6_port = htons(bulk_port);
	}
	return rdma_resolve_addr(bq->cm_id, NULL, (struct sockaddr *)&dst,
				 BULK_RESOLVE_TIMEOUT_MS);
}

/*
 * A listener on @bulk_port of every address of @any's family. The IPv6 one
 * takes IPv6 only: nodes are told apart by address, and an IPv4 request
 * seen as v4-mapped would not match the node's IPv4 peer.
 */
static struct rdma_cm_id *bulk_cm_listen_on(struct sockaddr *any)
{
	struct rdma_cm_id *id;
	int ret;

	id = rdma_create_id(&init_net, bulk_cm_handler, NULL, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id))
		return id;
	ret = any->sa_family == AF_INET6 ? rdma_set_afonly(id, 1) : 0;
	if (!ret)
		ret = rdma_bind_addr(id, any);
	if (!ret)
		ret = rdma_listen(id, 128);
	if (ret) {
		pr_err("ib_bulk: cannot listen on port %u (%s): %d\n",
		       bulk_port, any->sa_family == AF_INET6 ? "IPv6" : "IPv4",
		       ret);
		rdma_destroy_id(id);
		return ERR_PTR(ret);
	}
	return id;
}

int bulk_cm_listen(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(bulk_port),
	};
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_addr = IN6ADDR_ANY_INIT,
		.sin6_port = htons(bulk_port),
	};

	bulk_listen_id = bulk_cm_listen_on((struct sockaddr *)&sin);
	if (IS_ERR(bulk_listen_id))
		return PTR_ERR(bulk_listen_id);
	bulk_listen6_id = bulk_cm_listen_on((struct sockaddr *)&sin6);
	if (IS_ERR(bulk_listen6_id)) {
		rdma_destroy_id(bulk_listen_id);
		return PTR_ERR(bulk_listen6_id);
	}
	return 0;
}

void bulk_cm_stop(void)
{
	rdma_destroy_id(bulk_listen6_id);
	rdma_destroy_id(bulk_listen_id);
}
