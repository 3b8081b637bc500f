# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""pyverbs.providers.bulk: rdma-bulk's <infiniband/bulk.h> on pyverbs objects.

An endpoint opens on a pyverbs.device.Context; its MRs, connections and
grants hang off it. Each call mirrors one function of bulk.h, named as
there without the ibv_bulk_ prefix; errors raise PyverbsRDMAError with the
errno. Objects close in pyverbs' way: close() or `with`, children first,
and a Context that closes first closes its endpoints (and so their MRs
and connections) before the device goes.
"""

#cython: language_level=3

import mmap
import socket
import weakref

from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_WRITABLE, \
    PyBUF_SIMPLE
from libc.errno cimport errno
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memset

from pyverbs.base cimport PyverbsCM, close_weakrefs
from pyverbs.device cimport Context
cimport pyverbs.providers.bulk.libibbulk as b
cimport pyverbs.providers.bulk.librdmabulk as rb

from pyverbs.pyverbs_error import PyverbsRDMAError, PyverbsUserError

ACCESS_REMOTE_READ = b.IBV_BULK_ACCESS_REMOTE_READ
ACCESS_REMOTE_WRITE = b.IBV_BULK_ACCESS_REMOTE_WRITE
OP_WRITE = b.IBV_BULK_OP_WRITE
OP_READ = b.IBV_BULK_OP_READ
OP_SEND = b.IBV_BULK_OP_SEND
OP_RECV = b.IBV_BULK_OP_RECV
WC_RECV = b.IBV_BULK_WC_RECV
WC_IMM = b.IBV_BULK_WC_IMM
OP_F_IMM = b.IBV_BULK_OP_F_IMM
URING_SETUP_FLAGS = b.IBV_BULK_URING_SETUP_FLAGS
URING_CMD_SIZE = b.IBV_BULK_URING_CMD_SIZE

cdef extern from 'netinet/in.h':
    cdef struct in_addr:
        uint32_t s_addr
    cdef struct in6_addr:
        pass
    cdef struct sockaddr_in:
        unsigned short sin_family
        unsigned short sin_port
        in_addr sin_addr
    cdef struct sockaddr_in6:
        unsigned short sin6_family
        unsigned short sin6_port
        uint32_t sin6_flowinfo
        in6_addr sin6_addr
        uint32_t sin6_scope_id

cdef extern from 'arpa/inet.h':
    int inet_pton(int af, const char *src, void *dst)
    unsigned short htons(unsigned short v)


cdef _raise(what, int err):
    raise PyverbsRDMAError(f'{what} failed', err)


cdef _ep_attr(b.ibv_bulk_ep_init_attr *attr, cq_depth, comp_mask=None):
    """struct ibv_bulk_ep_init_attr for a depth (0: the default)."""
    memset(attr, 0, sizeof(attr[0]))
    if cq_depth:
        attr.comp_mask = b.IBV_BULK_EP_INIT_ATTR_CQ_DEPTH
        attr.cq_depth = cq_depth
    if comp_mask is not None:
        attr.comp_mask = comp_mask


cdef class BulkEndpoint(PyverbsCM):
    """ibv_bulk_ep_open(): an endpoint on @ctx holding @cq_depth completions
    (0: the transport's default)."""
    cdef b.ibv_bulk_ep *ep
    cdef Context ctx
    cdef object mrs
    cdef object conns

    def __init__(self, Context ctx not None, cq_depth=0, comp_mask=None):
        cdef b.ibv_bulk_ep_init_attr attr
        cdef b.ibv_bulk_ep *ep
        super().__init__()
        if ctx.context == NULL:
            raise PyverbsUserError('the Context is closed')
        _ep_attr(&attr, cq_depth, comp_mask)
        ep = b.ibv_bulk_ep_open(ctx.context, &attr)
        if ep == NULL:
            _raise('ep_open', errno)
        self._adopt(ep)
        self.ctx = ctx
        # Context.add_ref() knows only verbs' own objects, but
        # Context.close() closes whatever its WeakSets hold before the
        # device: dr_domains (mlx5 DR, closed last) holds endpoints too.
        ctx.dr_domains.add(self)

    cdef _adopt(self, b.ibv_bulk_ep *ep):
        self.ep = ep
        self.mrs = weakref.WeakSet()
        self.conns = weakref.WeakSet()

    @classmethod
    def open(cls, ctx, cq_depth=0):
        return cls(ctx, cq_depth)

    def __dealloc__(self):
        self.close()

    cpdef close(self):
        if self.ep == NULL:
            return
        close_weakrefs([self.conns, self.mrs])
        rc = b.ibv_bulk_ep_close(self.ep)
        if rc:
            _raise('ep_close', rc)
        self.ep = NULL
        self.ctx = None

    ep_close = close

    cdef b.ibv_bulk_ep *_live(self) except NULL:
        if self.ep == NULL:
            raise PyverbsUserError('the endpoint is closed')
        return self.ep

    def ep_id(self):
        return b.ibv_bulk_ep_id(self._live())

    def ep_fd(self):
        return b.ibv_bulk_ep_fd(self._live())

    def ep_cq_depth(self):
        return b.ibv_bulk_ep_cq_depth(self._live())

    def reg_mr(self, buf, access=0):
        return BulkMR(self, buf, access)

    def connect(self, node, remote_ep_id):
        return BulkConnection(self, node, remote_ep_id)

    def post(self, ops):
        """ibv_bulk_post(): all of @ops (BulkOp), in order; returns how
        many were posted. An error raises PyverbsRDMAError whose `posted`
        says how many were accepted before the refused one."""
        cdef unsigned int posted = 0
        cdef b.ibv_bulk_op *arr
        cdef bytearray store
        n = len(ops)
        if n == 0:
            return 0
        store = bytearray(n * sizeof(b.ibv_bulk_op))
        arr = <b.ibv_bulk_op *><char *>store
        for i, op in enumerate(ops):
            (<BulkOp?>op)._fill(&arr[i])
        rc = b.ibv_bulk_post(self._live(), arr, n, &posted)
        if rc:
            err = PyverbsRDMAError(f'post failed after {posted} of {n}', rc)
            err.posted = posted
            raise err
        return posted

    def poll(self, num=16):
        """ibv_bulk_poll(): up to @num completions, as BulkWC."""
        cdef bytearray store = bytearray(num * sizeof(b.ibv_bulk_wc))
        cdef b.ibv_bulk_wc *wc = <b.ibv_bulk_wc *><char *>store
        rc = b.ibv_bulk_poll(self._live(), wc, num)
        if rc < 0:
            _raise('poll', -rc)
        return [BulkWC._from(&wc[i]) for i in range(rc)]

    def uring_cmd(self, BulkOp op not None):
        """ibv_bulk_uring_cmd(): (command area bytes, cmd_op) for an SQE."""
        cdef b.ibv_bulk_op cop
        cdef uint32_t cmd_op = 0
        cdef bytearray cmd = bytearray(b.IBV_BULK_URING_CMD_SIZE)
        op._fill(&cop)
        rc = b.ibv_bulk_uring_cmd(self._live(), &cop, <char *>cmd, &cmd_op)
        if rc:
            _raise('uring_cmd', rc)
        return bytes(cmd), cmd_op

    def uring_cmd_fixed(self, BulkOp op not None, uint64_t buf):
        """ibv_bulk_uring_cmd_fixed(): the same for a local side at address
        @buf inside an io_uring registered buffer."""
        cdef b.ibv_bulk_op cop
        cdef uint32_t cmd_op = 0
        cdef bytearray cmd = bytearray(b.IBV_BULK_URING_CMD_SIZE)
        op._fill(&cop)
        rc = b.ibv_bulk_uring_cmd_fixed(self._live(), &cop, <void *>buf,
                                        <char *>cmd, &cmd_op)
        if rc:
            _raise('uring_cmd_fixed', rc)
        return bytes(cmd), cmd_op

    def prep_op(self, sqe, BulkOp op not None):
        """ibv_bulk_prep_op() into @sqe, a writable 128-byte buffer (one
        SQE128 slot of a ring set up with URING_SETUP_FLAGS)."""
        cdef Py_buffer view
        PyObject_GetBuffer(sqe, &view, PyBUF_WRITABLE)
        try:
            if view.len < 128:
                raise PyverbsUserError('an SQE128 slot is 128 bytes')
            _prep(self._live(), <b.io_uring_sqe *>view.buf, op)
        finally:
            PyBuffer_Release(&view)


cdef _prep(b.ibv_bulk_ep *ep, b.io_uring_sqe *sqe, BulkOp op):
    cdef b.ibv_bulk_op cop
    op._fill(&cop)
    rc = b.ibv_bulk_prep_op(sqe, ep, &cop)
    if rc:
        _raise('prep_op', rc)


def cqe_to_wc(cqe):
    """ibv_bulk_cqe_to_wc(): the BulkWC a 32-byte CQE reports."""
    cdef Py_buffer view
    cdef b.ibv_bulk_wc wc
    PyObject_GetBuffer(cqe, &view, PyBUF_SIMPLE)
    try:
        if view.len < 32:
            raise PyverbsUserError('a CQE32 is 32 bytes')
        b.ibv_bulk_cqe_to_wc(<const b.io_uring_cqe *>view.buf, &wc)
    finally:
        PyBuffer_Release(&view)
    return BulkWC._from(&wc)


cdef class BulkMR(PyverbsCM):
    """ibv_bulk_reg_mr(): @buf is a length (an anonymous mapping of that
    many bytes is made) or a writable buffer (a bytearray, an mmap, a
    memoryview slice...), kept alive as long as the MR. As pyverbs' MR,
    @address (with @buf a length) registers memory the caller maps and
    keeps mapped itself; the MR then has no `buf`."""
    cdef b.ibv_bulk_mr *mr
    cdef BulkEndpoint ep
    cdef object mem
    cdef Py_buffer view
    cdef bint have_view
    cdef readonly uint64_t addr
    cdef readonly uint64_t length

    def __init__(self, BulkEndpoint ep not None, buf, access=0, address=None):
        super().__init__()
        if address is not None:
            if not isinstance(buf, int):
                raise PyverbsUserError('with an address, buf is the length')
            self.addr = address
            self.length = buf
        else:
            if isinstance(buf, int):
                if buf <= 0:
                    raise PyverbsUserError('an MR of zero bytes')
                buf = mmap.mmap(-1, buf)
            PyObject_GetBuffer(buf, &self.view, PyBUF_WRITABLE)
            self.have_view = True
            self.mem = buf
            self.addr = <uint64_t>self.view.buf
            self.length = self.view.len
        self.mr = b.ibv_bulk_reg_mr(ep._live(), <void *>self.addr, self.length, access)
        if self.mr == NULL:
            err = errno
            self._release()
            _raise('reg_mr', err)
        self.ep = ep
        ep.mrs.add(self)

    def __dealloc__(self):
        self.close()

    cdef _release(self):
        if self.have_view:
            PyBuffer_Release(&self.view)
            self.have_view = False
        self.mem = None

    cpdef close(self):
        if self.mr == NULL:
            return
        rc = b.ibv_bulk_dereg_mr(self.mr)
        if rc:
            _raise('dereg_mr', rc)
        self.mr = NULL
        self._release()
        self.ep = None

    dereg_mr = close

    @property
    def buf(self):
        """The registered memory, as a writable memoryview."""
        if self.mr == NULL:
            raise PyverbsUserError('the MR is closed')
        if self.mem is None:
            raise PyverbsUserError('an MR at a given address has no buffer')
        return memoryview(self.mem)


cdef class BulkConnection(PyverbsCM):
    """ibv_bulk_connect(): a handle on endpoint @remote_ep_id of the node at
    @node: an IPv4 or IPv6 address string ('fe80::1%eth0' for a link-local
    one) or an (address, port) pair."""
    cdef b.ibv_bulk_conn *conn
    cdef BulkEndpoint ep

    def __init__(self, BulkEndpoint ep not None, node, uint32_t remote_ep_id):
        cdef sockaddr_in6 sa
        cdef sockaddr_in *sin = <sockaddr_in *>&sa
        cdef b.ibv_bulk_conn *conn
        super().__init__()
        host, port = (node, 0) if isinstance(node, str) else node
        try:
            family, _, _, _, addr = socket.getaddrinfo(
                host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0,
                socket.AI_NUMERICHOST)[0]
        except (socket.gaierror, UnicodeError):
            raise PyverbsUserError(f'not an IPv4 or IPv6 address: {host!r}')
        memset(&sa, 0, sizeof(sa))
        if family == socket.AF_INET6:
            sa.sin6_family = family
            sa.sin6_port = htons(port)
            inet_pton(family, addr[0].encode(), &sa.sin6_addr)
            sa.sin6_scope_id = addr[3]
        else:
            sin.sin_family = family
            sin.sin_port = htons(port)
            inet_pton(family, addr[0].encode(), &sin.sin_addr)
        conn = b.ibv_bulk_connect(ep._live(), <b.sockaddr *>&sa, remote_ep_id)
        if conn == NULL:
            _raise('connect', errno)
        self._adopt(ep, conn)

    cdef _adopt(self, BulkEndpoint ep, b.ibv_bulk_conn *conn):
        self.conn = conn
        self.ep = ep
        ep.conns.add(self)

    def __dealloc__(self):
        self.close()

    cpdef close(self):
        if self.conn == NULL:
            return
        rc = b.ibv_bulk_disconnect(self.conn)
        if rc:
            _raise('disconnect', rc)
        self.conn = NULL
        self.ep = None

    disconnect = close

    cdef b.ibv_bulk_conn *_live(self) except NULL:
        if self.conn == NULL:
            raise PyverbsUserError('the connection is closed')
        return self.conn

    def grant(self, BulkMR mr not None, uint64_t offset, uint64_t length,
              unsigned int access):
        """ibv_bulk_grant(): the grant's id."""
        cdef uint64_t grant_id = 0
        if mr.mr == NULL:
            raise PyverbsUserError('the MR is closed')
        rc = b.ibv_bulk_grant(self._live(), mr.mr, offset, length, access, &grant_id)
        if rc:
            _raise('grant', rc)
        return grant_id

    def revoke(self, uint64_t grant_id):
        rc = b.ibv_bulk_revoke(self._live(), grant_id)
        if rc:
            _raise('revoke', rc)


cdef class BulkOp:
    """struct ibv_bulk_op."""
    cdef public uint64_t wr_id
    cdef public uint32_t opcode
    cdef public uint32_t flags
    cdef public BulkConnection conn
    cdef public BulkMR mr
    cdef public uint64_t offset
    cdef public uint64_t length
    cdef public uint64_t remote_grant
    cdef public uint64_t remote_offset
    cdef public uint32_t imm

    def __init__(self, wr_id=0, opcode=OP_WRITE, flags=0, conn=None, mr=None,
                 offset=0, length=0, remote_grant=0, remote_offset=0, imm=0):
        self.wr_id = wr_id
        self.opcode = opcode
        self.flags = flags
        self.conn = conn
        self.mr = mr
        self.offset = offset
        self.length = length
        self.remote_grant = remote_grant
        self.remote_offset = remote_offset
        self.imm = imm

    cdef _fill(self, b.ibv_bulk_op *op):
        memset(op, 0, sizeof(op[0]))
        op.wr_id = self.wr_id
        op.opcode = self.opcode
        op.flags = self.flags
        if self.conn is not None:
            op.conn = self.conn._live()
        if self.mr is not None:
            if self.mr.mr == NULL:
                raise PyverbsUserError('the MR is closed')
            op.mr = self.mr.mr
        op.offset = self.offset
        op.length = self.length
        op.remote_grant = self.remote_grant
        op.remote_offset = self.remote_offset
        op.imm = self.imm


cdef class BulkWC:
    """struct ibv_bulk_wc: status is 0 or a positive errno."""
    cdef readonly uint64_t wr_id
    cdef readonly uint32_t opcode
    cdef readonly int status
    cdef readonly uint64_t byte_len
    cdef readonly uint32_t imm
    cdef readonly uint32_t src_ep

    @staticmethod
    cdef BulkWC _from(const b.ibv_bulk_wc *wc):
        cdef BulkWC w = BulkWC.__new__(BulkWC)
        w.wr_id = wc.wr_id
        w.opcode = wc.opcode
        w.status = wc.status
        w.byte_len = wc.byte_len
        w.imm = wc.imm
        w.src_ep = wc.src_ep
        return w

    def __repr__(self):
        return (f'BulkWC(wr_id={self.wr_id}, opcode={self.opcode}, status={self.status}, '
                f'byte_len={self.byte_len}, imm={self.imm}, src_ep={self.src_ep})')


# librdmabulk (<rdma/rdma_bulk.h>): its two calls keep their rdma_ prefix,
# as the C ones do, so that neither reads as a bulk.h call.

cdef BulkEndpoint _endpoint_of(b.ibv_bulk_ep *ep):
    """A BulkEndpoint for @ep on a context librdmacm opened (and keeps
    open for the process): there is no pyverbs Context to hang it on."""
    cdef BulkEndpoint o = BulkEndpoint.__new__(BulkEndpoint)
    PyverbsCM.__init__(o)
    o._adopt(ep)
    return o


def rdma_ep_open(local_addr=None, cq_depth=0):
    """rdma_bulk_ep_open(): an endpoint on the device of @local_addr (an
    IPv4 address or host name; None: the first device with an active
    port)."""
    cdef b.ibv_bulk_ep_init_attr attr
    cdef b.ibv_bulk_ep *ep
    _ep_attr(&attr, cq_depth)
    addr = local_addr.encode() if local_addr is not None else None
    ep = rb.rdma_bulk_ep_open(<const char *>addr if addr is not None else NULL, &attr)
    if ep == NULL:
        _raise('rdma_ep_open', errno)
    return _endpoint_of(ep)


def rdma_connect(BulkEndpoint ep not None, host, port, uint32_t remote_ep_id):
    """rdma_bulk_connect(): a connection to endpoint @remote_ep_id of @host
    (address or name) at @port (number or service name; None: the
    transport's port)."""
    cdef BulkConnection c
    cdef b.ibv_bulk_conn *conn
    h = host.encode()
    p = str(port).encode() if port is not None else None
    conn = rb.rdma_bulk_connect(ep._live(), h, <const char *>p if p is not None else NULL,
                                remote_ep_id)
    if conn == NULL:
        _raise('rdma_connect', errno)
    c = BulkConnection.__new__(BulkConnection)
    PyverbsCM.__init__(c)
    c._adopt(ep, conn)
    return c
