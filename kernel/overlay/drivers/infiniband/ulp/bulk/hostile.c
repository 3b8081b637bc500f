// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_bulk hostile-peer test hook (CONFIG_INFINIBAND_BULK_HOSTILE_TEST).
 *
 * It makes this node's kernel behave like a buggy or hostile one towards
 * the nodes that granted it memory: it keeps the keys they sent and uses
 * them without any of the checks ib_bulk makes, so that tests can show
 * what the granting node's device lets through. Never build it into a
 * kernel that shares a fabric with nodes you do not own.
 *
 * /sys/kernel/debug/ib_bulk/hostile takes one command per write:
 *   grab ID            keep grant ID's key, address and length (from the
 *                      grants other nodes gave this node's endpoints), as
 *                      a kernel that remembers keys past their revoke
 *   grab rts|cts ID    keep, as ID, the keys of the last SEND's range that
 *                      an RTS (READ keys) or a CTS (WRITE keys) gave this
 *                      node, as a kernel that remembers them past the
 *                      SEND
 *   write ID OFF LEN   one RDMA WRITE of LEN bytes of 0xee at OFF bytes
 *                      from the kept grant's start, then a zero-length
 *                      READ there that tells whether the WRITE was taken
 *                      (an iWARP device completes a WRITE once it is sent)
 *   read ID OFF LEN    one RDMA READ of LEN bytes there
 * on the connection to the node the grant came from. Reading the file
 * gives the last command's work completion statuses:
 *   "<op> <ID> <OFF> <LEN> <status> [<READ-back status>]\n"
 * with ib_wc_status_msg() text, or the errno that kept it from running.
 */

#include <linux/debugfs.h>
#include <linux/slab.h>
#include "bulk.h"

#define BULK_HOSTILE_KEYS	16
#define BULK_HOSTILE_RKEYS	16	/* of one grant */
#define BULK_HOSTILE_MAX_LEN	SZ_64K
#define BULK_HOSTILE_TIMEOUT	(30 * HZ)

/* A grant's keys as this node received them. */
struct bulk_hostile_key {
	u64 id;
	u64 addr;
	u64 length;
	u8 key_shift;
	u32 nkeys;
	u32 rkeys[BULK_HOSTILE_RKEYS];
	struct sockaddr_storage node;	/* who granted it */
};

struct bulk_hostile_wr {
	struct ib_cqe cqe;
	struct completion done;
	enum ib_wc_status status;
};

/* Serializes the commands; the keys and the result are theirs. */
static DEFINE_MUTEX(bulk_hostile_lock);
static struct bulk_hostile_key bulk_hostile_keys[BULK_HOSTILE_KEYS];
static unsigned int bulk_hostile_num_keys;
static char bulk_hostile_result[160];
static struct dentry *bulk_hostile_dir;

/* The keys of the last RTS and CTS whose data phase started here. */
static DEFINE_SPINLOCK(bulk_hostile_seen_lock);
static struct bulk_hostile_key bulk_hostile_seen[2];

void bulk_hostile_saw_keys(const struct bulk_op *op)
{
	struct bulk_hostile_key *key;

	spin_lock(&bulk_hostile_seen_lock);
	key = &bulk_hostile_seen[op->wc.opcode == IB_UVERBS_BULK_OP_SEND];
	key->addr = op->raddr;
	key->length = op->length;
	key->key_shift = op->key_shift;
	key->nkeys = min_t(u32, op->nkeys, BULK_HOSTILE_RKEYS);
	memcpy(key->rkeys, op->rkeys, key->nkeys * sizeof(u32));
	key->node = op->peer->addr;
	spin_unlock(&bulk_hostile_seen_lock);
}

/* Keep @key as @id, in place of one of that id. */
static int bulk_hostile_keep(const struct bulk_hostile_key *key, u64 id)
{
	unsigned int i;

	for (i = 0; i < bulk_hostile_num_keys; i++)
		if (bulk_hostile_keys[i].id == id)
			break;
	if (i == BULK_HOSTILE_KEYS)
		return -ENOSPC;
	bulk_hostile_keys[i] = *key;
	bulk_hostile_keys[i].id = id;
	if (i == bulk_hostile_num_keys)
		bulk_hostile_num_keys++;
	return 0;
}

/* grab rts|cts ID: the last RTS's (0) or CTS's (1) keys, as @id. */
static int bulk_hostile_grab_seen(bool cts, u64 id)
{
	struct bulk_hostile_key key;

	spin_lock(&bulk_hostile_seen_lock);
	key = bulk_hostile_seen[cts];
	spin_unlock(&bulk_hostile_seen_lock);
	if (!key.nkeys)
		return -ENOENT;
	return bulk_hostile_keep(&key, id);
}

static bool bulk_hostile_has_grant(struct bulk_peer *peer, void *arg)
{
	struct bulk_hostile_key *key = arg;
	struct bulk_rgrant *rg;

	spin_lock(&peer->lock);
	rg = xa_load(&peer->grants, key->id);
	if (rg) {
		key->addr = rg->addr;
		key->length = rg->length;
		key->key_shift = rg->key_shift;
		key->nkeys = min_t(u32, rg->nkeys, BULK_HOSTILE_RKEYS);
		memcpy(key->rkeys, rg->rkeys, key->nkeys * sizeof(u32));
		key->node = peer->addr;
	}
	spin_unlock(&peer->lock);
	return rg;
}

/*
 * The node's connection, if it is ready: one still being made is listed
 * too, and has no QP to post on yet.
 */
static bool bulk_hostile_is_node(struct bulk_peer *peer, void *arg)
{
	bool ready;

	if (bulk_addr_cmp((struct sockaddr *)&peer->addr, arg))
		return false;
	spin_lock(&peer->lock);
	ready = peer->state == BULK_PEER_READY;
	spin_unlock(&peer->lock);
	return ready;
}

static int bulk_hostile_grab(u64 id)
{
	struct bulk_hostile_key key = { .id = id };
	struct bulk_peer *peer;

	peer = bulk_peer_get_match(bulk_hostile_has_grant, &key);
	if (!peer)
		return -ENOENT;
	bulk_peer_put(peer);
	return bulk_hostile_keep(&key, id);
}

static void bulk_hostile_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct bulk_hostile_wr *hwr = container_of(wc->wr_cqe,
						   struct bulk_hostile_wr, cqe);
	struct bulk_qp *bq = cq->cq_context;

	hwr->status = wc->status;
	/* A failed RDMA operation leaves the QP in the error state. */
	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR)
		bulk_peer_kill(bq->peer, -ECONNRESET);
	bulk_qp_credit(bq);
	complete(&hwr->done);
}

/* Post one RDMA @opcode with @key on @peer's QP and wait for it. */
static int bulk_hostile_post(struct bulk_peer *peer,
			     const struct bulk_hostile_key *key,
			     enum ib_wr_opcode opcode, u64 off, u32 len,
			     enum ib_wc_status *status)
{
	struct ib_device *ibdev = peer->dev->ibdev;
	enum dma_data_direction dir = opcode == IB_WR_RDMA_WRITE ?
				      DMA_TO_DEVICE : DMA_FROM_DEVICE;
	struct bulk_hostile_wr *hwr;
	struct ib_rdma_wr wr = {};
	struct ib_sge sge = {};
	struct bulk_qp *bq;
	void *buf;
	u64 k;
	int ret;

	hwr = kzalloc(sizeof(*hwr), GFP_KERNEL);
	buf = kmalloc(max(len, 1U), GFP_KERNEL);
	ret = -ENOMEM;
	if (!hwr || !buf)
		goto out_free;
	memset(buf, 0xee, max(len, 1U));
	sge.addr = ib_dma_map_single(ibdev, buf, max(len, 1U), dir);
	if (ib_dma_mapping_error(ibdev, sge.addr))
		goto out_free;
	sge.length = len;
	sge.lkey = peer->dev->pd->local_dma_lkey;
	init_completion(&hwr->done);
	hwr->cqe.done = bulk_hostile_done;
	wr.wr.wr_cqe = &hwr->cqe;
	wr.wr.sg_list = &sge;
	wr.wr.num_sge = 1;
	wr.wr.opcode = opcode;
	wr.wr.send_flags = IB_SEND_SIGNALED;
	/*
	 * No bounds: the offset may reach past the grant, on purpose. The
	 * key is the one of the address, the nearest one outside the grant.
	 */
	wr.remote_addr = key->addr + off;
	k = wr.remote_addr >> key->key_shift;
	wr.rkey = key->rkeys[min_t(u64, k, key->nkeys - 1)];

	spin_lock(&peer->lock);
	bq = peer->tx;
	ret = -ENOTCONN;
	if (peer->state == BULK_PEER_READY && bq) {
		ret = -EBUSY;
		if (bq->credits) {
			ret = ib_post_send(bq->cm_id->qp, &wr.wr, NULL);
			if (!ret)
				bq->credits--;
		}
	}
	spin_unlock(&peer->lock);
	if (!ret) {
		if (!wait_for_completion_timeout(&hwr->done,
						 BULK_HOSTILE_TIMEOUT)) {
			/* Its QP goes with the peer and flushes it. */
			bulk_peer_kill(peer, -ETIMEDOUT);
			wait_for_completion(&hwr->done);
		}
		*status = hwr->status;
	}
	ib_dma_unmap_single(ibdev, sge.addr, max(len, 1U), dir);
out_free:
	kfree(buf);
	kfree(hwr);
	return ret;
}

static int bulk_hostile_rdma(const char *op, u64 id, u64 off, u32 len)
{
	bool write = !strcmp(op, "write");
	enum ib_wc_status status, back = IB_WC_SUCCESS;
	struct bulk_hostile_key *key = NULL;
	struct bulk_peer *peer;
	unsigned int i;
	int ret;

	if (!len || len > BULK_HOSTILE_MAX_LEN)
		return -EINVAL;
	for (i = 0; i < bulk_hostile_num_keys; i++)
		if (bulk_hostile_keys[i].id == id)
			key = &bulk_hostile_keys[i];
	if (!key)
		return -ENOENT;
	/*
	 * The connection as it is now: the one the key came over may have
	 * died and been made anew since, and a kernel that kept the key
	 * would try it on the new one too.
	 */
	peer = bulk_peer_get_match(bulk_hostile_is_node, &key->node);
	if (!peer)
		return -ENOTCONN;
	ret = bulk_hostile_post(peer, key, write ? IB_WR_RDMA_WRITE :
				IB_WR_RDMA_READ, off, len, &status);
	if (!ret && write && status == IB_WC_SUCCESS)
		ret = bulk_hostile_post(peer, key, IB_WR_RDMA_READ, off, 0,
					&back);
	bulk_peer_put(peer);
	if (ret)
		return ret;
	if (write)
		snprintf(bulk_hostile_result, sizeof(bulk_hostile_result),
			 "%s %llu %llu %u %s %s\n", op, id, off, len,
			 ib_wc_status_msg(status),
			 status == IB_WC_SUCCESS ? ib_wc_status_msg(back) :
			 "-");
	else
		snprintf(bulk_hostile_result, sizeof(bulk_hostile_result),
			 "%s %llu %llu %u %s\n", op, id, off, len,
			 ib_wc_status_msg(status));
	return 0;
}

static ssize_t bulk_hostile_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char cmd[96], op[8], which[4];
	u64 id, off;
	u32 len;
	int ret;

	if (count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';

	mutex_lock(&bulk_hostile_lock);
	bulk_hostile_result[0] = '\0';
	if (sscanf(cmd, "grab %llu", &id) == 1)
		ret = bulk_hostile_grab(id);
	else if (sscanf(cmd, "grab %3s %llu", which, &id) == 2 &&
		 (!strcmp(which, "rts") || !strcmp(which, "cts")))
		ret = bulk_hostile_grab_seen(!strcmp(which, "cts"), id);
	else if (sscanf(cmd, "%7s %llu %llu %u", op, &id, &off, &len) == 4 &&
		 (!strcmp(op, "write") || !strcmp(op, "read")))
		ret = bulk_hostile_rdma(op, id, off, len);
	else
		ret = -EINVAL;
	mutex_unlock(&bulk_hostile_lock);
	return ret ?: count;
}

static ssize_t bulk_hostile_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&bulk_hostile_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, bulk_hostile_result,
				      strlen(bulk_hostile_result));
	mutex_unlock(&bulk_hostile_lock);
	return ret;
}

static const struct file_operations bulk_hostile_fops = {
	.owner = THIS_MODULE,
	.write = bulk_hostile_write,
	.read = bulk_hostile_read,
	.llseek = default_llseek,
};

void bulk_hostile_init(void)
{
	bulk_hostile_dir = debugfs_create_dir("ib_bulk", NULL);
	debugfs_create_file("hostile", 0600, bulk_hostile_dir, NULL,
			    &bulk_hostile_fops);
	pr_warn("ib_bulk: hostile-peer test hook in debugfs: this kernel misuses other nodes' keys on request\n");
}

void bulk_hostile_exit(void)
{
	debugfs_remove_recursive(bulk_hostile_dir);
}
