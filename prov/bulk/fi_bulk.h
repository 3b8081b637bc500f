/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * The rdma-bulk libfabric provider ("bulk"): FI_EP_RDM endpoints with
 * FI_MSG and FI_TAGGED over libibbulk. Small messages go eagerly through
 * bounce buffers, large ones by rendezvous (the receiver READs them through
 * a grant); matching is done here. See fi_bulk(7) and proto.h.
 *
 * Locking: one mutex per domain, taken by every call that touches its
 * objects, so the provider is FI_THREAD_SAFE without finer locks. Progress
 * is manual: completions, retries and rendezvous move on while the
 * application reads a CQ bound to the endpoint.
 */
#ifndef BULK_FI_H
#define BULK_FI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_eq.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>
#include <rdma/fi_tagged.h>
#include <rdma/providers/fi_prov.h>
#include <rdma/providers/fi_log.h>
#include <infiniband/bulk.h>
#include "list.h"
#include "proto.h"

#define BULK_FI_PROV_NAME	"bulk"
#define BULK_FI_FABRIC_NAME	"rdma-bulk"
#define BULK_FI_VERSION		FI_VERSION(0, 1)
#define BULK_FI_API_VERSION	FI_VERSION(1, 17)

/* Bounce buffers: a slot holds one message, header included. */
#define BULK_FI_SLOT_SIZE	16384u
#define BULK_FI_EAGER_MAX	(BULK_FI_SLOT_SIZE - sizeof(struct bulk_fi_hdr))
#define BULK_FI_RX_SLOTS	64u
#define BULK_FI_TX_SLOTS	64u
#define BULK_FI_CQ_DEPTH	1024u
#define BULK_FI_POLL_BATCH	32
/*
 * An RTS that waited this long for its FIN makes the sender PROBE the
 * receiving endpoint (and again each period): a receiver whose process
 * died fails the PROBE's SEND, and the send ends with that error.
 */
#define BULK_FI_PROBE_MS	5000

#define BULK_FI_RMA_CAPS	(FI_RMA | FI_READ | FI_WRITE | FI_REMOTE_READ | \
				 FI_REMOTE_WRITE)
#define BULK_FI_CAPS	(FI_MSG | FI_TAGGED | FI_SEND | FI_RECV | \
			 FI_DIRECTED_RECV | FI_SOURCE | FI_LOCAL_COMM | \
			 FI_REMOTE_COMM | BULK_FI_RMA_CAPS)

/*
 * Default operation flags an application may ask for (fi_getinfo() hints,
 * FI_SETOPSFLAG). A send completes once the receiver's device has it
 * (eager) or has read it (rendezvous): transmit complete either way.
 */
#define BULK_FI_TX_OP_FLAGS	(FI_COMPLETION | FI_INJECT_COMPLETE | \
				 FI_TRANSMIT_COMPLETE)
#define BULK_FI_RX_OP_FLAGS	FI_COMPLETION

extern struct fi_provider bulk_fi_prov;

#define BF_WARN(subsys, ...) FI_WARN(&bulk_fi_prov, subsys, __VA_ARGS__)
#define BF_INFO(subsys, ...) FI_INFO(&bulk_fi_prov, subsys, __VA_ARGS__)

struct bulk_fi_fabric {
	struct fid_fabric fabric;
	pthread_mutex_t lock;
	int refs;		/* domains and EQs open on it */
};

struct bulk_fi_domain {
	struct fid_domain domain;
	struct bulk_fi_fabric *fab;
	struct ibv_context *ctx;
	struct bulk_fi_name local;	/* this node, ep_id 0 */
	pthread_mutex_t lock;		/* everything under the domain */
	int refs;			/* AVs, CQs, endpoints, MRs */
	enum fi_av_type av_type;
	struct bf_list rmrs;		/* MRs with remote access, by key */
};

/*
 * An fi_mr. One with remote access is registered with rdma-bulk lazily,
 * per endpoint that a peer asks for it through (a bulk MR belongs to an
 * endpoint), and granted to each asking peer endpoint (bulk_fi_mr_use).
 */
struct bulk_fi_mr {
	struct fid_mr mr;
	struct bulk_fi_domain *dom;
	struct bf_list link;		/* in dom->rmrs, when remote */
	void *buf;
	size_t len;
	uint64_t access;		/* FI_REMOTE_READ | FI_REMOTE_WRITE */
	struct bf_list uses;		/* struct bulk_fi_mr_use */
};

struct bulk_fi_mr_use {
	struct bf_list link;
	struct bulk_fi_ep *ep;
	struct ibv_bulk_mr *bmr;
	struct bf_list grants;		/* struct bulk_fi_rgrant */
};

/* A grant of an MR to one peer endpoint. */
struct bulk_fi_rgrant {
	struct bf_list link;
	struct bulk_fi_peer *peer;
	uint64_t grant_id;
};

/* What a peer's MR key maps to, for this endpoint's RMA to that peer. */
struct bulk_fi_rkey {
	struct bf_list link;
	uint64_t key;
	bool pending;			/* GRANT_REQ sent, no answer yet */
	uint64_t grant_id;
};

struct bulk_fi_av {
	struct fid_av av;
	struct bulk_fi_domain *dom;
	enum fi_av_type type;
	struct bulk_fi_name *names;
	bool *valid;
	size_t count, size;
	uint64_t generation;	/* bumped by every remove */
	int refs;		/* endpoints bound */
};

struct bulk_fi_cq_entry {
	struct fi_cq_tagged_entry e;
	fi_addr_t src;
};

struct bulk_fi_cq_err {
	struct bf_list link;
	struct fi_cq_err_entry e;
};

#define BULK_FI_CQ_MAX_EPS 8

struct bulk_fi_cq {
	struct fid_cq cq;
	struct bulk_fi_domain *dom;
	enum fi_cq_format format;
	struct bulk_fi_cq_entry *ring;
	size_t size, head, count;
	struct bf_list errors;
	struct bulk_fi_ep *eps[BULK_FI_CQ_MAX_EPS];	/* progressed on read */
	int num_eps;
	int overflow;		/* entries lost to a full ring, reported once */
};

/* A remote endpoint this one talks to: ordering state and connection. */
struct bulk_fi_peer {
	struct bf_list link;
	struct bulk_fi_name name;
	struct ibv_bulk_conn *conn;	/* made on first use */
	uint32_t tx_seq;		/* next to send */
	uint32_t rx_seq;		/* next to match */
	struct bf_list ooo;		/* arrived early, by seq */
	fi_addr_t fi_addr;		/* in the bound AV, or NOTAVAIL */
	uint64_t av_generation;		/* when fi_addr was looked up */
	uint64_t probed_ms;		/* last PROBE sent, monotonic ms */
	struct bf_list rkeys;		/* struct bulk_fi_rkey */
};

enum bulk_fi_op_kind {
	BF_OP_RX_SLOT,		/* a bounce buffer posted as RECV */
	BF_OP_SEND,		/* an application's send */
	BF_OP_CTRL,		/* our FIN or PROBE, no completion */
	BF_OP_RECV,		/* an application's receive */
	BF_OP_RMA,		/* an application's fi_write/fi_read */
};

/* One operation of the application's, or one of the provider's own. */
struct bulk_fi_op {
	struct bf_list link;
	enum bulk_fi_op_kind kind;
	void *context;
	uint64_t flags;		/* FI_SEND/FI_RECV | FI_MSG/FI_TAGGED | ... */
	bool report;		/* write a completion */
	uint64_t tag, ignore, data;
	fi_addr_t addr;		/* RECV: FI_ADDR_UNSPEC or the source */
	struct bulk_fi_peer *peer;
	void *buf;
	size_t len;
	/* SEND: its header (in a tx slot) and rendezvous state */
	int slot;		/* tx or rx slot index, or -1 */
	struct bulk_fi_hdr hdr;	/* FIN waiting for a tx slot */
	uint32_t seq;
	uint8_t type;		/* EAGER, RTS or FIN */
	uint64_t id;		/* rendezvous cookie */
	struct ibv_bulk_mr *mr;
	uint64_t grant_id;
	bool sent;		/* RTS: its SEND completed */
	uint64_t sent_ms;	/* RTS: when, monotonic ms */
	bool fin;		/* RTS: the receiver's FIN came */
	int fin_status;
	size_t olen;		/* RECV: the whole message's length */
	/* RECV: claimed unexpected message for FI_CLAIM */
	struct bulk_fi_unexp *claimed;
	/* RMA: the remote offset and the copy an inject made */
	uint64_t raddr;
	void *copy;
};

/* A message no receive was posted for yet. */
struct bulk_fi_unexp {
	struct bf_list link;
	struct bulk_fi_hdr hdr;
	struct bulk_fi_peer *peer;
	void *payload;		/* EAGER: a copy of it */
	void *claim_context;	/* FI_CLAIM'ed by a FI_PEEK with this one */
};

/* A message that came before an earlier one of its sender's. */
struct bulk_fi_ooo {
	struct bf_list link;
	size_t len;
	unsigned char msg[];	/* header, payload */
};

/* What the endpoint did, for fi_bulk(7)'s counters (FI_BULK_STATS). */
struct bulk_fi_stats {
	uint64_t tx_eager, tx_rndv, rx_eager, rx_rndv;
	uint64_t rx_unexpected, tx_retries, rx_ooo, truncated;
	uint64_t tx_bytes, rx_bytes;
	uint64_t rma_ops, rma_bytes, grants_given;
};

struct bulk_fi_ep {
	struct fid_ep ep;
	struct bulk_fi_domain *dom;
	struct bulk_fi_cq *tx_cq, *rx_cq;
	uint64_t tx_bind_flags, rx_bind_flags;
	uint64_t tx_op_flags, rx_op_flags;
	struct bulk_fi_av *av;
	struct ibv_bulk_ep *bep;	/* at fi_enable() */
	struct bulk_fi_name name;
	bool enabled;
	bool directed;		/* FI_DIRECTED_RECV: receives name a source */
	unsigned char *rx_pool, *tx_pool;
	struct ibv_bulk_mr *rx_mr, *tx_mr;
	struct bulk_fi_op rx_slot_ops[BULK_FI_RX_SLOTS];
	int tx_free[BULK_FI_TX_SLOTS];
	int num_tx_free;
	int rx_repost[BULK_FI_RX_SLOTS];	/* slots to post again */
	unsigned int num_rx_repost;
	struct bf_list peers;
	struct bf_list posted_msg, posted_tag;	/* application receives */
	struct bf_list unexp_msg, unexp_tag;
	struct bf_list retry;		/* SENDs the receiver had no buffer for */
	struct bf_list rndv;		/* RTS sent, waiting for FIN */
	struct bf_list rma_wait;	/* RMA waiting for its GRANT_ACK */
	uint64_t next_id;
	struct bulk_fi_stats stats;
};

/* fabric.c, domain.c, av.c, cq.c, ep.c, mr.c, eq.c */
int bulk_fi_fabric_open(struct fi_fabric_attr *attr, struct fid_fabric **fab,
			void *context);
int bulk_fi_domain_open(struct fid_fabric *fab, struct fi_info *info,
			struct fid_domain **dom, void *context);
int bulk_fi_eq_open(struct fid_fabric *fab, struct fi_eq_attr *attr,
		    struct fid_eq **eq, void *context);
int bulk_fi_av_open(struct fid_domain *dom, struct fi_av_attr *attr,
		    struct fid_av **av, void *context);
int bulk_fi_cq_open(struct fid_domain *dom, struct fi_cq_attr *attr,
		    struct fid_cq **cq, void *context);
int bulk_fi_ep_open(struct fid_domain *dom, struct fi_info *info,
		    struct fid_ep **ep, void *context);
int bulk_fi_mr_reg(struct fid *fid, const void *buf, size_t len,
		   uint64_t access, uint64_t offset, uint64_t requested_key,
		   uint64_t flags, struct fid_mr **mr, void *context);
int bulk_fi_mr_regv(struct fid *fid, const struct iovec *iov, size_t count,
		    uint64_t access, uint64_t offset, uint64_t requested_key,
		    uint64_t flags, struct fid_mr **mr, void *context);
int bulk_fi_mr_regattr(struct fid *fid, const struct fi_mr_attr *attr,
		       uint64_t flags, struct fid_mr **mr);

/* addr.c: node addresses and names */
int bulk_fi_local_node(struct ibv_context *ctx, struct sockaddr_in6 *node);
int bulk_fi_name_check(const void *addr, size_t len);
bool bulk_fi_name_eq(const struct bulk_fi_name *a,
		     const struct bulk_fi_name *b);
void bulk_fi_name_str(const struct bulk_fi_name *name, char *buf,
		      size_t len);
struct ibv_device *bulk_fi_find_device(struct ibv_device **list,
				       const char *name);

/* av.c */
const struct bulk_fi_name *bulk_fi_av_name(struct bulk_fi_av *av,
					   fi_addr_t addr);
fi_addr_t bulk_fi_av_reverse(struct bulk_fi_av *av,
			     const struct bulk_fi_name *name);

/* cq.c */
void bulk_fi_cq_report(struct bulk_fi_cq *cq, void *context, uint64_t flags,
		       size_t len, void *buf, uint64_t data, uint64_t tag,
		       fi_addr_t src);
void bulk_fi_cq_report_err(struct bulk_fi_cq *cq, void *context,
			   uint64_t flags, int err, size_t len, size_t olen,
			   uint64_t data, uint64_t tag);
int bulk_fi_cq_attach(struct bulk_fi_cq *cq, struct bulk_fi_ep *ep);
void bulk_fi_cq_detach(struct bulk_fi_cq *cq, struct bulk_fi_ep *ep);

static inline struct bulk_fi_ep *bulk_fi_ep_of(struct fid_ep *fid)
{
	return bf_container_of(fid, struct bulk_fi_ep, ep);
}

/* Whether an operation with @flags writes a completion (fi_ep_bind()). */
static inline bool bulk_fi_op_completes(uint64_t bind_flags, uint64_t flags)
{
	return !(bind_flags & FI_SELECTIVE_COMPLETION) ||
	       (flags & FI_COMPLETION);
}

/* progress.c */
void bulk_fi_progress(struct bulk_fi_ep *ep);
void bulk_fi_probe_peers(struct bulk_fi_ep *ep);

static inline uint64_t bulk_fi_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int bulk_fi_post_send_op(struct bulk_fi_ep *ep, struct bulk_fi_op *op);
struct bulk_fi_peer *bulk_fi_peer_get(struct bulk_fi_ep *ep,
				      const struct bulk_fi_name *name);
int bulk_fi_peer_conn(struct bulk_fi_peer *peer, struct bulk_fi_ep *ep);
void bulk_fi_peers_free(struct bulk_fi_ep *ep);

/* msg.c: the data-path entry points and matching */
extern struct fi_ops_msg bulk_fi_msg_ops;
extern struct fi_ops_tagged bulk_fi_tagged_ops;
void bulk_fi_incoming(struct bulk_fi_ep *ep, struct bulk_fi_peer *peer,
		      const struct bulk_fi_hdr *hdr, const void *payload);
void bulk_fi_recv_done(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
		       int status);
void bulk_fi_send_done(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
		       int status);
void bulk_fi_fin_recv(struct bulk_fi_ep *ep, const struct bulk_fi_hdr *hdr);
void bulk_fi_ep_flush(struct bulk_fi_ep *ep);
ssize_t bulk_fi_cancel(fid_t fid, void *context);
bool bulk_fi_peer_gone(int err);
void bulk_fi_tx_report(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
		       int status, uint64_t tag);
void bulk_fi_send_ctrl(struct bulk_fi_ep *ep, struct bulk_fi_peer *peer,
		       struct bulk_fi_hdr *hdr);

/* rma.c: FI_RMA through grants that the target's provider makes */
extern struct fi_ops_rma bulk_fi_rma_ops;
void bulk_fi_rma_incoming(struct bulk_fi_ep *ep, struct bulk_fi_peer *peer,
			  const struct bulk_fi_hdr *hdr);
void bulk_fi_rma_done(struct bulk_fi_ep *ep, struct bulk_fi_op *op,
		      int status);
void bulk_fi_rma_ep_close(struct bulk_fi_ep *ep);
void bulk_fi_mr_uses_free(struct bulk_fi_mr *mr, struct bulk_fi_ep *ep);

/* stubs.c: what the provider does not do */
int bulk_fi_no_bind(struct fid *fid, struct fid *bfid, uint64_t flags);
int bulk_fi_no_control(struct fid *fid, int command, void *arg);
int bulk_fi_no_ops_open(struct fid *fid, const char *name, uint64_t flags,
			void **ops, void *context);

/* errors: a positive errno as libfabric's negative code */
static inline int bulk_fi_err(int err)
{
	return -(err ? err : FI_EOTHER);
}

#endif /* BULK_FI_H */
