/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * ib_bulk: internal interfaces of the bulk transport module.
 */
#ifndef _IB_BULK_H
#define _IB_BULK_H

#include <linux/kref.h>
#include <linux/mmu_notifier.h>
#include <linux/socket.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <rdma/ib_bulk.h>
#include <rdma/rdma_cm.h>
#include "proto.h"

/**
 * struct bulk_dev - ib_bulk's state for one RDMA device
 * @ref: one for the device's presence, one per endpoint and peer using it
 * @ibdev: the device
 * @pd: the kernel PD every MR and QP of the device lives in
 * @num_qps: QPs on the device, waited for when it goes
 * @removed: the device is going away: new calls fail with -ENODEV while
 *	the endpoints, MRs and connection handles on it wait to be closed
 */
struct bulk_dev {
	struct kref ref;
	struct ib_device *ibdev;
	struct ib_pd *pd;
	atomic_t num_qps;
	bool removed;
};

static inline bool bulk_dev_removed(const struct bulk_dev *dev)
{
	return READ_ONCE(dev->removed);
}

/**
 * struct bulk_cq - an endpoint's completion ring
 * @wcs: @depth entries; @head is the oldest of @count pending ones
 * @reserved: slots promised to accepted operations and posted receives:
 *	@count + @reserved never exceeds @depth, so no completion is dropped
 */
struct bulk_cq {
	struct ib_uverbs_bulk_wc *wcs;
	u32 depth;
	u32 head;
	u32 count;
	u32 reserved;
};

/**
 * struct ib_bulk_ep - a process's endpoint on one device
 * @ref: one for the endpoint's uobject, one per MR, connection handle and
 *	operation that refers to it
 * @id: node-unique address of the endpoint, never 0
 * @dev: the device state, referenced while the endpoint exists
 * @wq: the endpoint file's wait queue, woken when completions arrive
 * @lock: protects @cq, @recvs and @dead
 * @cq: completions waiting for POLL
 * @recvs: posted RECV operations, oldest first
 * @ops: every accepted operation not yet released
 * @dead: destroyed: incoming events are refused, completions dropped
 * @ops_inflight: accepted operations not yet released
 * @mrs: the endpoint's MRs by the id that operations name them with
 * @conns: the endpoint's connection handles, by id
 * @grants: grants of the endpoint's MRs, by grant id
 * @mr_cache_lock: protects the @mr_cache* fields and the MRs' @stale
 * @mr_cache: deregistered MRs kept for a new registration of the same
 *	range, most recently cached first (mr_cache.c)
 * @mr_cache_count: MRs in @mr_cache
 * @mr_cache_closed: the endpoint is destroyed: nothing is cached any more
 * @mr_cache_reap: releases cached MRs whose mapping changed
 * @rcu: frees the endpoint after lookups by id under RCU
 */
struct ib_bulk_ep {
	struct kref ref;
	u32 id;
	struct bulk_dev *dev;
	wait_queue_head_t *wq;
	spinlock_t lock;		/* see above */
	struct bulk_cq cq;
	struct list_head recvs;
	struct list_head ops;
	bool dead;
	atomic_t ops_inflight;
	struct xarray mrs;
	struct xarray conns;
	struct xarray grants;
	spinlock_t mr_cache_lock;	/* see above */
	struct list_head mr_cache;
	unsigned int mr_cache_count;
	bool mr_cache_closed;
	struct work_struct mr_cache_reap;
	struct rcu_head rcu;
};

/**
 * struct ib_bulk_mr - registered user memory
 * @id: the MR's id within its endpoint (kept reserved while it is cached)
 * @ep: the endpoint, referenced (the MR may outlive its uobject)
 * @ibmr: the registration on the device's kernel PD; its iova is @addr
 * @mm: the address space the pages belong to (mmgrab()ed): only it may
 *	post on, grant or deregister the MR
 * @addr: start of the range in the owner's address space
 * @length: bytes in the range
 * @access: enum ib_uverbs_bulk_access_flags granted at registration
 * @inflight: operations using the MR; deregistration waits for them
 * @num_grants: live grants of the MR
 * @notifier: watches the range in @mm (mr_cache.c)
 * @cache_entry: in the endpoint's MR cache once deregistered
 * @stale: the mapping of the range changed since the pages were pinned:
 *	never cached or handed out again
 */
struct ib_bulk_mr {
	u32 id;
	struct ib_bulk_ep *ep;
	struct ib_mr *ibmr;
	struct mm_struct *mm;
	u64 addr;
	u64 length;
	u32 access;
	atomic_t inflight;
	atomic_t num_grants;
	struct mmu_interval_notifier notifier;
	struct list_head cache_entry;
	bool stale;
};

enum bulk_peer_state {
	BULK_PEER_CONNECTING,
	BULK_PEER_READY,
	BULK_PEER_DEAD,
};

struct bulk_qp;

/**
 * struct bulk_peer - this node's connection to one remote node on a device
 *
 * One generation of connectivity: when the connection fails the peer dies
 * with everything that depended on it (grants, acknowledgments owed), and
 * the next connect to the node builds a new peer.
 *
 * @ref: the peer table's, one per QP, connection handle and operation
 * @list: in the peer table while not dead
 * @dev: the local device
 * @addr: the remote node's address (port ignored)
 * @lock: protects the state, the QP pointers, @txq and @grants
 * @state: enum bulk_peer_state
 * @error: why the peer died (a negative errno)
 * @wq: woken when @state changes
 * @tx: the QP every message and operation to the node goes on
 * @active: our own connect attempt while it is in progress
 * @rx: the QP we accepted, until it is established; for a connection to
 *	this very node (@self) the accepting side, which only receives
 * @txq: operations with work requests left to post
 * @msgq: control messages waiting for send queue slots, sent first
 * @reqs: requests waiting for the node's acknowledgment, by sequence
 * @next_seq: cursor for @reqs
 * @grants: what the node granted our endpoints, by grant id
 * @keyed: our SENDs and RECVs whose RTS or CTS came with more keys to
 *	follow, by that message's seq (op.c)
 * @conns: our connection handles to the node's endpoints, so that an
 *	endpoint's close, which the node reports, resets them
 * @kill_work: tears the QPs down outside of CM callbacks
 * @keepalive: probes a silent connection that owes us answers (keepalive.c)
 * @retry_at: jiffies before which a failed node is not tried again
 * @progress: jiffies of the last work request the connection completed
 *	(sent and acknowledged, or received): a request whose answer is
 *	late gets more time while the queue ahead of it still moves
 */
struct bulk_peer {
	struct kref ref;
	struct list_head list;
	struct bulk_dev *dev;
	struct sockaddr_storage addr;
	spinlock_t lock;		/* see above */
	enum bulk_peer_state state;
	int error;
	wait_queue_head_t wq;
	struct bulk_qp *tx;
	struct bulk_qp *active;
	struct bulk_qp *rx;
	bool self;
	bool tx_ours;		/* @tx is the QP we connected */
	struct list_head txq;
	struct list_head msgq;
	struct xarray reqs;
	u32 next_seq;
	struct xarray grants;
	struct xarray keyed;		/* ops waiting for SEND_KEYs, by seq */
	struct list_head conns;
	struct work_struct kill_work;
	struct delayed_work keepalive;
	unsigned long retry_at;
	unsigned long progress;
};

/* The connection to @peer just completed a work request. */
static inline void bulk_peer_progress(struct bulk_peer *peer)
{
	WRITE_ONCE(peer->progress, jiffies);
}

enum { BULK_PUSH_NONE, BULK_PUSH_DATA, BULK_PUSH_DONE };

/* SGEs one work request takes from a registered io_uring buffer at most. */
#define BULK_MAX_SGE		16

/* The flush sink of an iWARP QP (see bulk_qp_map_flush()). */
#define BULK_FLUSH_LEN		SMP_CACHE_BYTES

/**
 * struct bulk_qp - one RC QP of a peer, with its CQ and receive buffers
 * @peer: referenced
 * @cm_id: the RDMA CM id the QP belongs to
 * @cq: send and receive completions, polled from a workqueue
 * @rx: the receive buffers, all posted while the QP lives
 * @credits: free send queue slots (under the peer's lock)
 * @max_chunk: bytes one RDMA WRITE or READ work request may move
 * @max_sge: SGEs one WRITE may gather (registered io_uring buffers)
 * @max_sge_rd: SGEs one READ may scatter into
 * @num_rx: receive buffers mapped
 * @lock: serializes CM callbacks against the start of the teardown
 * @abandoned: lost a simultaneous connect; torn down on its next event
 * @dying: teardown queued (set under the peer's lock)
 */
struct bulk_qp {
	struct bulk_peer *peer;
	struct rdma_cm_id *cm_id;
	struct ib_cq *cq;
	struct bulk_rx *rx;
	u32 num_rx;
	u32 credits;
	u32 max_chunk;
	u32 max_sge;
	u32 max_sge_rd;
	/* iWARP only: the sink of the READ that confirms a WRITE landed */
	void *flush_buf;
	u64 flush_dma;
	struct mutex lock;		/* see above */
	bool abandoned;
	bool dying;
	struct work_struct destroy_work;
	struct work_struct fatal_work;	/* kills the peer on a QP error */
};

/* A control message being sent, or a work request of ours in its place. */
struct bulk_msg_tx {
	struct ib_cqe cqe;
	struct list_head list;
	struct ib_device *ibdev;	/* mapped on, or NULL */
	struct ib_send_wr *wr;		/* posted instead of @msg, or NULL */
	u64 dma;
	/* Sent or dropped; NULL: free it. */
	void (*done)(struct bulk_msg_tx *mtx);
	struct bulk_msg msg;
};

/*
 * How long a node may leave a request unanswered while its connection
 * completes nothing before the connection is dropped.
 */
#define BULK_ANSWER_TIMEOUT	(10 * HZ)

/* A request waiting for its acknowledgment. */
struct bulk_req {
	void (*acked)(struct bulk_req *req, int status, u64 byte_len);
};

/* A kernel thread waiting for an acknowledgment. */
struct bulk_req_wait {
	struct bulk_req req;
	struct completion done;
	int status;
	u32 seq;
};

/**
 * struct bulk_op - one accepted operation, or an incoming SEND's receive
 * @ref: the submitter's, one while work requests are posted, one while
 *	@mtx is posted; the last put releases everything the op holds
 * @ep: the endpoint completions go to (referenced)
 * @peer: the node (referenced), NULL for a RECV not yet matched
 * @mr: the local memory (its inflight count held), or NULL with @fixed
 * @fixed: the local memory, an io_uring registered buffer, mapped until
 *	the operation finishes
 * @rgrant: the remote grant used (its inflight count held)
 */
struct bulk_op {
	struct kref ref;
	struct list_head list;		/* in the peer's txq or ep->recvs */
	struct list_head ep_list;	/* in ep->ops */
	struct ib_cqe cqe;		/* the RDMA work requests' */
	struct ib_bulk_ep *ep;
	struct bulk_peer *peer;
	struct ib_bulk_mr *mr;
	struct bulk_fixed *fixed;
	struct bulk_rgrant *rgrant;
	u64 laddr;			/* local iova */
	u64 length;
	u64 raddr;
	/*
	 * A SEND's remote range (RTS or CTS): its keys, key k covering
	 * [k << key_shift, (k + 1) << key_shift) of the range's key space;
	 * rkeys is &rkey for one key. The range's data phase starts when
	 * the last came (missing 0).
	 */
	u32 rkey;
	u32 *rkeys;
	u32 nkeys;
	u32 missing;
	u32 keys_seq;			/* the RTS or CTS that gave them */
	u8 key_shift;
	/*
	 * The keys this node made for a SEND's range (RTS) or a RECV's (CTS),
	 * deregistered from key_work before the completion is reported.
	 */
	struct bulk_gkeys *lkeys;
	struct work_struct key_work;
	int key_status;
	enum ib_wr_opcode wr_opcode;	/* IB_WR_RDMA_WRITE or _READ */
	u64 posted;			/* bytes handed to work requests */
	u32 wrs_out;			/* work requests posted, not completed */
	int status;			/* first error, a negative errno */
	u32 dst_ep;
	u32 ack_seq;			/* RECV: the RTS; push SEND: the CTS */
	bool imm;			/* WRITE: send wc.imm after the data */
	struct io_uring_cmd *ucmd;	/* completes as this CQE, or NULL */
	/*
	 * A SEND from a registered buffer (no key for the receiver to READ
	 * with) writes into the RECV instead, once the receiver's CTS gives
	 * the range: push_state BULK_PUSH_DATA from then (set under the
	 * peer's reqs lock) until the WRITEs are done (BULK_PUSH_DONE, under
	 * the peer's lock). An RTS answer arriving during the data phase is
	 * kept in push_status and reported when the data phase ends.
	 */
	u8 push_state;
	bool push_acked;
	int push_status;
	bool finished;
	struct bulk_req req;
	struct bulk_msg_tx mtx;
	struct ib_uverbs_bulk_wc wc;
};

/**
 * struct bulk_rgrant - a range a remote endpoint granted to one of ours
 * @addr: where the range starts in the address space of its keys
 * @inflight: our operations using it, drained before revoke is acked
 * @revoke_seq: the owner's revoke request, acked when @inflight drops to 0
 * @rkeys: the owner's device keys for the range, @nkeys of them
 */
struct bulk_rgrant {
	u64 id;
	u32 owner_ep;
	u32 allowed_ep;
	u64 addr;
	u64 length;
	u32 access;
	u32 inflight;
	bool revoking;
	u32 revoke_seq;
	u32 grant_seq;		/* the GRANT, answered once @missing is 0 */
	u32 missing;		/* keys still to come: not usable before */
	u8 key_shift;		/* key k covers [k << key_shift, k + 1 << ...) */
	u32 nkeys;
	u32 rkeys[];
};

/**
 * struct bulk_lgrant - a grant of one of our MRs to a remote endpoint
 */
struct bulk_lgrant {
	u64 id;
	struct ib_bulk_mr *mr;
	struct bulk_peer *peer;
	u32 allowed_ep;
	struct bulk_gkeys *keys;	/* the device keys the node got */
};

/**
 * struct ib_bulk_conn - an endpoint's handle on a remote endpoint
 * @peer_list: in the peer's @conns (under the peer's lock)
 * @reset: the remote endpoint closed: what is posted on the handle from
 *	now on fails with ECONNRESET (set under the peer's lock)
 */
struct ib_bulk_conn {
	u32 id;
	struct ib_bulk_ep *ep;
	struct bulk_peer *peer;
	u32 remote_ep;
	struct list_head peer_list;
	bool reset;
};

/* dev.c */
struct bulk_dev *bulk_dev_get(struct ib_device *ibdev);
void bulk_dev_put(struct bulk_dev *dev);
int bulk_dev_init(void);
void bulk_dev_exit(void);

/* ep.c */
struct ib_bulk_ep *bulk_ep_create(struct ib_device *device,
				  const struct ib_uverbs_bulk_ep_attr *attr,
				  wait_queue_head_t *wq);
void bulk_ep_destroy(struct ib_bulk_ep *ep, enum rdma_remove_reason why);
void bulk_ep_query(struct ib_bulk_ep *ep, struct ib_uverbs_bulk_ep_resp *resp);
__poll_t bulk_ep_poll_mask(struct ib_bulk_ep *ep);
void bulk_ep_get(struct ib_bulk_ep *ep);
void bulk_ep_put(struct ib_bulk_ep *ep);
struct ib_bulk_ep *bulk_ep_lookup(u32 id);

/* cq.c */
int bulk_cq_init(struct bulk_cq *cq, u32 depth);
void bulk_cq_free(struct bulk_cq *cq);
bool bulk_cq_reserve(struct ib_bulk_ep *ep);
void bulk_cq_unreserve(struct ib_bulk_ep *ep);
void bulk_cq_push(struct ib_bulk_ep *ep, const struct ib_uverbs_bulk_wc *wc);
int bulk_ep_poll(struct ib_bulk_ep *ep, struct ib_uverbs_bulk_wc *wc, u32 num);

/* mr.c */
struct ib_bulk_mr *bulk_mr_reg(struct ib_bulk_ep *ep,
			       const struct ib_uverbs_bulk_mr_reg *cmd,
			       struct ib_uverbs_bulk_mr_resp *resp);
int bulk_mr_dereg(struct ib_bulk_mr *mr, enum rdma_remove_reason why);
bool bulk_mr_owned(const struct ib_bulk_mr *mr);
void bulk_mr_release(struct ib_bulk_mr *mr);

/* mr_cache.c */
void bulk_mr_cache_init(struct ib_bulk_ep *ep);
int bulk_mr_watch_begin(struct ib_bulk_mr *mr, unsigned long *seq);
bool bulk_mr_watch_end(struct ib_bulk_mr *mr, unsigned long seq);
unsigned long bulk_mr_watch_restart(struct ib_bulk_mr *mr);
struct ib_bulk_mr *bulk_mr_cache_take(struct ib_bulk_ep *ep, u64 addr,
				      u64 length);
bool bulk_mr_cache_put(struct ib_bulk_mr *mr);
bool bulk_mr_cache_flush(struct ib_bulk_ep *ep, bool close);
void bulk_mr_put_inflight(struct ib_bulk_mr *mr);

/* keepalive.c */
void bulk_keepalive_init(struct bulk_peer *peer);
void bulk_keepalive_arm(struct bulk_peer *peer);
void bulk_keepalive_stop(struct bulk_peer *peer);

/* peer.c */
extern unsigned short bulk_port;
extern struct workqueue_struct *bulk_wq;
int bulk_peer_init(void);
void bulk_peer_kill_locked(struct bulk_peer *peer, int error);
struct bulk_peer *bulk_peer_connect(struct bulk_dev *dev,
				    const struct sockaddr *addr,
				    unsigned long timeout);
int bulk_addr_cmp(const struct sockaddr *a, const struct sockaddr *b);
struct bulk_peer *bulk_peer_find_locked(struct bulk_dev *dev,
					const struct sockaddr *addr);
struct bulk_peer *bulk_peer_alloc_locked(struct bulk_dev *dev,
					 const struct sockaddr *addr);
void bulk_peer_get(struct bulk_peer *peer);
void bulk_peer_put(struct bulk_peer *peer);
void bulk_peer_kill(struct bulk_peer *peer, int error);
void bulk_peer_established(struct bulk_qp *bq);
void bulk_peer_kill_dev(struct bulk_dev *dev);
void bulk_peer_exit(void);
extern struct mutex bulk_peers_lock;
int bulk_peer_req_add(struct bulk_peer *peer, struct bulk_req *req, u32 *seq);
struct bulk_req *bulk_peer_req_take(struct bulk_peer *peer, u32 seq);
int bulk_peer_request_wait(struct bulk_peer *peer, struct bulk_msg_tx *mtx,
			   unsigned long timeout);
int bulk_peer_request_start(struct bulk_peer *peer, struct bulk_msg_tx *mtx,
			    struct bulk_req_wait *w);
int bulk_peer_request_finish(struct bulk_peer *peer, struct bulk_req_wait *w,
			     unsigned long timeout);
int bulk_peer_ask(struct bulk_peer *peer, struct bulk_msg_tx *mtx,
		  unsigned long timeout);

#if IS_ENABLED(CONFIG_INFINIBAND_BULK_HOSTILE_TEST)
typedef bool (*bulk_peer_match_t)(struct bulk_peer *peer, void *arg);
struct bulk_peer *bulk_peer_get_match(bulk_peer_match_t match, void *arg);

/* hostile.c: a test hook that misuses other nodes' keys */
void bulk_hostile_init(void);
void bulk_hostile_exit(void);
void bulk_hostile_saw_keys(const struct bulk_op *op);
#else
static inline void bulk_hostile_init(void)
{
}

static inline void bulk_hostile_exit(void)
{
}

static inline void bulk_hostile_saw_keys(const struct bulk_op *op)
{
}
#endif

/* qp.c */
extern atomic_t bulk_qps_live;
struct bulk_qp *bulk_qp_alloc(struct bulk_peer *peer, struct rdma_cm_id *id);
int bulk_qp_setup(struct bulk_qp *bq);
void bulk_qp_unmap_buffers(struct bulk_qp *bq);
void bulk_qp_free_unused(struct bulk_qp *bq);
void bulk_qp_destroy_async(struct bulk_qp *bq);
void bulk_qp_credit(struct bulk_qp *bq);
void bulk_peer_kick(struct bulk_peer *peer);
void bulk_qp_drop_queued(struct list_head *msgq, struct list_head *txq);

/* cm.c */
int bulk_cm_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev);
int bulk_cm_listen(void);
void bulk_cm_stop(void);
int bulk_cm_connect(struct bulk_qp *bq, const struct sockaddr *addr);

/* msg.c */
struct bulk_msg_tx *bulk_msg_alloc(u16 type, gfp_t gfp);
void bulk_msg_send(struct bulk_peer *peer, struct bulk_msg_tx *mtx);
void bulk_msg_send_wr(struct bulk_peer *peer, struct bulk_msg_tx *mtx);
void bulk_msg_send_all(struct bulk_peer *peer, struct list_head *msgs);
void bulk_msg_free_all(struct list_head *msgs);
void bulk_msg_done(struct bulk_msg_tx *mtx);
void bulk_msg_ack(struct bulk_peer *peer, u32 seq, int status, u64 byte_len);
void bulk_msg_recv(struct bulk_qp *bq, const struct bulk_msg *msg, u32 len);

/* conn.c */
struct ib_bulk_conn *bulk_conn_create(struct ib_bulk_ep *ep,
				      const struct sockaddr *addr,
				      const struct ib_uverbs_bulk_connect *cmd,
				      struct ib_uverbs_bulk_connect_resp *resp);
void bulk_conn_destroy(struct ib_bulk_conn *conn, enum rdma_remove_reason why);
void bulk_conns_reset_locked(struct bulk_peer *peer, u32 remote_ep);

/* gkey.c: a grant's own device keys */
#define BULK_GRANT_MAX_KEYS	1024

/* Keys of 1 << @shift bytes that cover [0, @end) of a grant's space. */
static inline u64 bulk_gkeys_needed(u64 end, u8 shift)
{
	return (end >> shift) + !!(end & (BIT_ULL(shift) - 1));
}

struct bulk_gkeys;
struct bulk_gkeys *bulk_gkeys_create(struct bulk_dev *dev,
				     struct mm_struct *mm, u64 addr,
				     u64 length, u32 access);
void bulk_gkeys_register(struct bulk_gkeys *gk, struct bulk_peer *peer);
void bulk_gkeys_fill_first(const struct bulk_gkeys *gk, struct bulk_msg *msg);
int bulk_gkeys_rest(const struct bulk_gkeys *gk, u16 type, u64 id,
		    struct list_head *msgs);
bool bulk_gkeys_fit(u64 addr, u64 length, u32 nkeys, u8 shift);
void bulk_gkeys_destroy(struct bulk_gkeys *gk);

/* grant.c */
int bulk_grant(struct ib_bulk_conn *conn, struct ib_bulk_mr *mr,
	       const struct ib_uverbs_bulk_grant *cmd, u64 *grant_id);
int bulk_revoke(struct ib_bulk_conn *conn, u64 grant_id);
void bulk_revoke_mr(struct ib_bulk_mr *mr, bool closing);
void bulk_rgrant_recv(struct bulk_peer *peer, const struct bulk_msg *msg);
void bulk_rgrant_key_recv(struct bulk_peer *peer, const struct bulk_msg *msg);
void bulk_rgrant_revoke_recv(struct bulk_peer *peer,
			     const struct bulk_msg *msg);
int bulk_rgrant_use(struct bulk_peer *peer, struct bulk_op *op,
		    const struct ib_uverbs_bulk_op *uop, u32 src_ep,
		    u32 owner_ep, u32 need);
void bulk_rgrant_put(struct bulk_peer *peer, struct bulk_rgrant *rg);

/* fixed_buf.c: io_uring registered buffers */
struct bulk_fixed;

/* A place in a mapped range: entry, bytes of it used, entries left. */
struct bulk_fixed_pos {
	struct scatterlist *sg;
	u32 off;
	unsigned int left;
};

struct bulk_fixed *bulk_fixed_map(struct io_uring_cmd *ucmd,
				  struct ib_device *ibdev, u64 addr, u64 len,
				  bool to_device);
void bulk_fixed_unmap(struct bulk_fixed *bf);
u32 bulk_fixed_sges(const struct bulk_fixed *bf, u32 lkey,
		    struct ib_sge *sge, int max_sge, u32 max_len,
		    int *num_sge, struct bulk_fixed_pos *next);
void bulk_fixed_advance(struct bulk_fixed *bf,
			const struct bulk_fixed_pos *next);

/* op.c */
int bulk_ep_post(struct ib_bulk_ep *ep, const struct ib_uverbs_bulk_op *uops,
		 u32 num, u32 *num_posted);
int bulk_ep_uring_post(struct ib_bulk_ep *ep,
		       const struct ib_uverbs_bulk_op *uop,
		       struct io_uring_cmd *ucmd);
void bulk_ep_uring_cancel(struct ib_bulk_ep *ep, struct io_uring_cmd *ucmd);
void bulk_op_put(struct bulk_op *op);
void bulk_op_finish(struct bulk_op *op, int status);
int bulk_op_post_chunk(struct bulk_op *op, struct bulk_qp *bq);
void bulk_op_unqueue(struct bulk_op *op);
void bulk_send_rts_recv(struct bulk_peer *peer, const struct bulk_msg *msg);
void bulk_send_cts_recv(struct bulk_peer *peer, const struct bulk_msg *msg);
void bulk_send_key_recv(struct bulk_peer *peer, const struct bulk_msg *msg);
void bulk_op_keys_abort(struct bulk_op *op, int error);
void bulk_imm_recv(struct bulk_peer *peer, const struct bulk_msg *msg);
void bulk_ep_cancel_recvs(struct ib_bulk_ep *ep, struct ib_bulk_mr *mr);
void bulk_ep_cancel_dev_recvs(struct bulk_dev *dev);

#endif /* _IB_BULK_H */
