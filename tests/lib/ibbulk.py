# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""ctypes binding of libibbulk (from build/lib) for the Python tests.

Errors come back as OSError with the errno the C call reported, as pyverbs
reports its own.
"""

import ctypes
import ctypes.util
import os

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB_PATH = os.path.join(TOP, 'build', 'lib', 'libibbulk.so.1')

_verbs = ctypes.CDLL('libibverbs.so.1', use_errno=True)
_bulk = None


class EpInitAttr(ctypes.Structure):
    _fields_ = [('comp_mask', ctypes.c_uint64), ('cq_depth', ctypes.c_uint32)]


EP_INIT_ATTR_CQ_DEPTH = 1 << 0
ACCESS_REMOTE_READ = 1 << 0
ACCESS_REMOTE_WRITE = 1 << 1


def lib():
    """libibbulk, loaded on first use so that a missing build skips cleanly."""
    global _bulk
    if _bulk is None:
        if not os.path.exists(LIB_PATH):
            raise FileNotFoundError(f'{LIB_PATH} not built (cmake --build build)')
        _bulk = ctypes.CDLL(LIB_PATH, use_errno=True)
        _bulk.ibv_bulk_ep_open.restype = ctypes.c_void_p
        _bulk.ibv_bulk_ep_open.argtypes = [ctypes.c_void_p, ctypes.POINTER(EpInitAttr)]
        _bulk.ibv_bulk_ep_close.argtypes = [ctypes.c_void_p]
        for fn in ('ibv_bulk_ep_id', 'ibv_bulk_ep_cq_depth'):
            getattr(_bulk, fn).restype = ctypes.c_uint32
            getattr(_bulk, fn).argtypes = [ctypes.c_void_p]
        _bulk.ibv_bulk_ep_fd.argtypes = [ctypes.c_void_p]
        _bulk.ibv_bulk_reg_mr.restype = ctypes.c_void_p
        _bulk.ibv_bulk_reg_mr.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                          ctypes.c_uint]
        _bulk.ibv_bulk_dereg_mr.argtypes = [ctypes.c_void_p]
        _bind_transport(_bulk)
    return _bulk


_verbs.ibv_get_device_list.restype = ctypes.POINTER(ctypes.c_void_p)
_verbs.ibv_get_device_list.argtypes = [ctypes.POINTER(ctypes.c_int)]
_verbs.ibv_free_device_list.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
_verbs.ibv_get_device_name.restype = ctypes.c_char_p
_verbs.ibv_get_device_name.argtypes = [ctypes.c_void_p]
_verbs.ibv_open_device.restype = ctypes.c_void_p
_verbs.ibv_open_device.argtypes = [ctypes.c_void_p]
_verbs.ibv_close_device.argtypes = [ctypes.c_void_p]


def _oserror(what):
    err = ctypes.get_errno()
    return OSError(err, f'{what}: {os.strerror(err)}')


def _check(ret, what):
    """Raise for the positive errno an int-returning call gave back."""
    if ret:
        raise OSError(ret, f'{what}: {os.strerror(ret)}')


class Context:
    """An ibv_context opened through libibverbs, by device name."""

    def __init__(self, name):
        n = ctypes.c_int()
        devs = _verbs.ibv_get_device_list(ctypes.byref(n))
        if not devs:
            raise _oserror('ibv_get_device_list')
        try:
            for i in range(n.value):
                if _verbs.ibv_get_device_name(devs[i]).decode() == name:
                    self.ptr = _verbs.ibv_open_device(devs[i])
                    if not self.ptr:
                        raise _oserror(f'ibv_open_device({name})')
                    break
            else:
                raise OSError(19, f'no RDMA device {name}')
        finally:
            _verbs.ibv_free_device_list(devs)

    def close(self):
        if self.ptr:
            _verbs.ibv_close_device(self.ptr)
            self.ptr = None


class Endpoint:
    """ibv_bulk_ep_open() on a Context; close() is ibv_bulk_ep_close()."""

    def __init__(self, ctx, cq_depth=None, comp_mask=None):
        attr = None
        if cq_depth is not None or comp_mask is not None:
            mask = comp_mask if comp_mask is not None else EP_INIT_ATTR_CQ_DEPTH
            attr = ctypes.byref(EpInitAttr(mask, cq_depth or 0))
        ctypes.set_errno(0)
        self.ptr = lib().ibv_bulk_ep_open(ctx.ptr, attr)
        if not self.ptr:
            raise _oserror('ibv_bulk_ep_open')

    @property
    def id(self):
        return lib().ibv_bulk_ep_id(self.ptr)

    @property
    def fd(self):
        return lib().ibv_bulk_ep_fd(self.ptr)

    @property
    def cq_depth(self):
        return lib().ibv_bulk_ep_cq_depth(self.ptr)

    def close(self):
        if self.ptr:
            _check(lib().ibv_bulk_ep_close(self.ptr), 'ibv_bulk_ep_close')
            self.ptr = None


def address_of(buf, offset=0):
    """The address of a writable buffer (an mmap or a bytearray)."""
    return ctypes.addressof(ctypes.c_char.from_buffer(buf, offset))


class MemoryRegion:
    """ibv_bulk_reg_mr() of length bytes at address addr."""

    def __init__(self, ep, addr, length, access=0):
        ctypes.set_errno(0)
        self.ptr = lib().ibv_bulk_reg_mr(ep.ptr, addr, length, access)
        if not self.ptr:
            raise _oserror('ibv_bulk_reg_mr')

    def close(self):
        if self.ptr:
            _check(lib().ibv_bulk_dereg_mr(self.ptr), 'ibv_bulk_dereg_mr')
            self.ptr = None


OP_WRITE, OP_READ, OP_SEND, OP_RECV = 0, 1, 2, 3
WC_RECV, WC_IMM = 3, 16
OP_F_IMM = 1 << 0


class Op(ctypes.Structure):
    """struct ibv_bulk_op"""
    _fields_ = [('wr_id', ctypes.c_uint64), ('opcode', ctypes.c_uint32),
                ('flags', ctypes.c_uint32), ('conn', ctypes.c_void_p),
                ('mr', ctypes.c_void_p), ('offset', ctypes.c_uint64),
                ('length', ctypes.c_uint64), ('remote_grant', ctypes.c_uint64),
                ('remote_offset', ctypes.c_uint64), ('imm', ctypes.c_uint32)]


class Wc(ctypes.Structure):
    """struct ibv_bulk_wc"""
    _fields_ = [('wr_id', ctypes.c_uint64), ('opcode', ctypes.c_uint32),
                ('status', ctypes.c_int32), ('byte_len', ctypes.c_uint64),
                ('imm', ctypes.c_uint32), ('src_ep', ctypes.c_uint32)]

    def __repr__(self):
        return (f'Wc(wr_id={self.wr_id}, opcode={self.opcode}, status={self.status}, '
                f'byte_len={self.byte_len}, imm={self.imm:#x}, src_ep={self.src_ep})')


class SockaddrIn(ctypes.Structure):
    _fields_ = [('family', ctypes.c_uint16), ('port', ctypes.c_uint16),
                ('addr', ctypes.c_uint8 * 4), ('zero', ctypes.c_uint8 * 8)]

    @classmethod
    def of(cls, ip, port=0):
        import socket
        sa = cls()
        sa.family = socket.AF_INET
        sa.port = socket.htons(port)
        sa.addr[:] = socket.inet_aton(ip)
        return sa


def _bind_transport(b):
    b.ibv_bulk_connect.restype = ctypes.c_void_p
    b.ibv_bulk_connect.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32]
    b.ibv_bulk_disconnect.argtypes = [ctypes.c_void_p]
    b.ibv_bulk_grant.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint64,
                                 ctypes.c_uint64, ctypes.c_uint,
                                 ctypes.POINTER(ctypes.c_uint64)]
    b.ibv_bulk_revoke.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
    b.ibv_bulk_post.argtypes = [ctypes.c_void_p, ctypes.POINTER(Op), ctypes.c_uint,
                                ctypes.POINTER(ctypes.c_uint)]
    b.ibv_bulk_poll.argtypes = [ctypes.c_void_p, ctypes.POINTER(Wc), ctypes.c_int]


class Connection:
    """ibv_bulk_connect() from ep to endpoint remote_ep at ip."""

    def __init__(self, ep, ip, remote_ep, port=0):
        b = lib()
        self.ep = ep
        sa = SockaddrIn.of(ip, port)
        ctypes.set_errno(0)
        self.ptr = b.ibv_bulk_connect(ep.ptr, ctypes.byref(sa), remote_ep)
        if not self.ptr:
            raise _oserror('ibv_bulk_connect')

    def grant(self, mr, offset, length, access):
        gid = ctypes.c_uint64()
        _check(lib().ibv_bulk_grant(self.ptr, mr.ptr, offset, length, access,
                                    ctypes.byref(gid)), 'ibv_bulk_grant')
        return gid.value

    def revoke(self, grant_id):
        _check(lib().ibv_bulk_revoke(self.ptr, grant_id), 'ibv_bulk_revoke')

    def close(self):
        if self.ptr:
            _check(lib().ibv_bulk_disconnect(self.ptr), 'ibv_bulk_disconnect')
            self.ptr = None


def post(ep, ops):
    """ibv_bulk_post() of a list of Op: (errno, number posted)."""
    b = lib()
    arr = (Op * len(ops))(*ops)
    n = ctypes.c_uint()
    ret = b.ibv_bulk_post(ep.ptr, arr, len(ops), ctypes.byref(n))
    return ret, n.value


def poll(ep, num=16):
    """ibv_bulk_poll(): a list of Wc; raises OSError for a negative return."""
    b = lib()
    arr = (Wc * num)()
    n = b.ibv_bulk_poll(ep.ptr, arr, num)
    if n < 0:
        raise OSError(-n, f'ibv_bulk_poll: {os.strerror(-n)}')
    return [arr[i] for i in range(n)]


def wait_wcs(ep, count, timeout=60.0):
    """Poll until count completions arrived (select() on the endpoint fd)."""
    import select
    import time
    wcs = []
    deadline = time.monotonic() + timeout
    while len(wcs) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f'{len(wcs)} of {count} completions after {timeout} s')
        select.select([ep.fd], [], [], left)
        wcs += poll(ep, count - len(wcs))
    return wcs


RDMA_LIB_PATH = os.path.join(TOP, 'build', 'lib', 'librdmabulk.so.1')
_rdmabulk = None


def rdmalib():
    """librdmabulk, loaded on first use."""
    global _rdmabulk
    if _rdmabulk is None:
        lib()
        if not os.path.exists(RDMA_LIB_PATH):
            raise FileNotFoundError(f'{RDMA_LIB_PATH} not built (cmake --build build)')
        _rdmabulk = ctypes.CDLL(RDMA_LIB_PATH, use_errno=True)
        _rdmabulk.rdma_bulk_ep_open.restype = ctypes.c_void_p
        _rdmabulk.rdma_bulk_ep_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(EpInitAttr)]
        _rdmabulk.rdma_bulk_connect.restype = ctypes.c_void_p
        _rdmabulk.rdma_bulk_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                                ctypes.c_char_p, ctypes.c_uint32]
    return _rdmabulk


def ep_open_by_addr(local_addr):
    """rdma_bulk_ep_open(): an Endpoint on the device of local_addr (or None)."""
    ep = Endpoint.__new__(Endpoint)
    ctypes.set_errno(0)
    ep.ptr = rdmalib().rdma_bulk_ep_open(local_addr.encode() if local_addr else None, None)
    if not ep.ptr:
        raise _oserror('rdma_bulk_ep_open')
    return ep


def connect_by_host(ep, host, port, remote_ep):
    """rdma_bulk_connect(): a Connection to remote_ep at host:port."""
    conn = Connection.__new__(Connection)
    conn.ep = ep
    ctypes.set_errno(0)
    conn.ptr = rdmalib().rdma_bulk_connect(ep.ptr, host.encode(),
                                           port.encode() if port else None, remote_ep)
    if not conn.ptr:
        raise _oserror('rdma_bulk_connect')
    return conn
