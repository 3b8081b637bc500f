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
