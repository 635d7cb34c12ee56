# cython: language_level=3, boundscheck=False, wraparound=False
"""fastact's compiled core: registers the ufuncs described by fastact._table.

Every row of the table becomes a real numpy.ufunc with float16, float32 and
float64 loops (in that order, so that float16 and float32 inputs keep their
dtype and integers promote as for np.tanh).  The loops and the kernels are C
(src_c/); this module only wires them to NumPy and exposes the dispatch level.
"""
cimport numpy as cnp
from numpy cimport PyUFuncGenericFunction, PyUFunc_FromFuncAndData, PyUFunc_None

from fastact._table import UFUNCS

cnp.import_array()
cnp.import_ufunc()

cdef extern from "fastact.h":
    ctypedef struct fa_entry:
        const char *name
        int nin
        int ndata
        void *data[3]
    fa_entry fa_entries[]
    const int fa_nentries
    int fa_isa
    int FA_NISA
    int fa_init()
    int fa_isa_supported(int level)
    int fa_set_isa(int level)
    const char *fa_isa_name(int level)
    int fa_isa_from_name(const char *name)
    void *fa_loop_funcs[3]
    char fa_types[6][18]

_detected = fa_init()
_docs = []  # NumPy keeps the char* of each docstring: keep the bytes alive


cdef object _make(int i, str doc):
    cdef fa_entry *e = &fa_entries[i]
    b = doc.encode("utf-8")
    _docs.append(b)
    return PyUFunc_FromFuncAndData(<PyUFuncGenericFunction *>fa_loop_funcs, e.data,
                                   fa_types[e.nin], 3, e.nin, 1, PyUFunc_None,
                                   <char *>e.name, <char *>b, 0)


def _build():
    from fastact._table import docstring
    index = {fa_entries[i].name.decode(): i for i in range(fa_nentries)}
    out = {}
    for u in UFUNCS:
        i = index.get(u.name)
        if i is None or fa_entries[i].nin != u.nin:
            raise ImportError(f"fastact: the compiled kernels do not match the table at {u.name!r}; "
                              "rebuild the extension (pip install .)")
        out[u.name] = _make(i, docstring(u))
    return out


ufuncs = _build()

include "_gufuncs.pxi"
include "_call.pxi"

ISA_LEVELS = tuple(fa_isa_name(l).decode() for l in range(FA_NISA))


def isa_supported(str name):
    """Whether this CPU (and build) can run the kernels of level `name`."""
    l = fa_isa_from_name(name.encode())
    if l < 0:
        raise ValueError(f"unknown ISA level {name!r}; expected one of {ISA_LEVELS}")
    return bool(fa_isa_supported(l))


def get_isa():
    """The instruction-set level whose kernels the ufuncs run."""
    return fa_isa_name(fa_isa).decode()


def detected_isa():
    """The level chosen at import (the best the CPU has, or FASTACT_ISA if lower)."""
    return fa_isa_name(_detected).decode()


def set_isa(str name):
    """Switch every ufunc to the kernels of level `name` (for testing); returns the old level."""
    old = get_isa()
    if not isa_supported(name):
        raise ValueError(f"ISA level {name!r} is not supported by this CPU")
    fa_set_isa(fa_isa_from_name(name.encode()))
    return old


# ---- threads (src_c/fa_threads.c) ----------------------------------------------
cdef extern from "fa_threads.h":
    int FA_MAX_THREADS
    int FA_MIN_PER_THREAD
    int fa_threads_available()
    int fa_get_num_threads()
    void fa_set_num_threads(int n)
    Py_ssize_t fa_get_min_per_thread()
    void fa_set_min_per_thread(Py_ssize_t m)

MAX_THREADS = FA_MAX_THREADS
MIN_PER_THREAD = FA_MIN_PER_THREAD
THREADS_AVAILABLE = bool(fa_threads_available())


def usable_cpus():
    """The CPUs this process may run on (its affinity mask where the OS has one)."""
    import os
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def get_num_threads():
    """The number of threads a ufunc call may use on a large contiguous array (default 1)."""
    return fa_get_num_threads()


def set_num_threads(n):
    """Let each elementwise ufunc call use up to `n` threads on large contiguous arrays.

    `n`: an int from 1 (the default: never a thread) to MAX_THREADS, or None for
    every usable CPU.  Process-wide; returns the previous count.  Only calls on
    contiguous float32/float64 operands of at least 2 * MIN_PER_THREAD elements
    are split (into chunks of at least MIN_PER_THREAD); results are the same bits
    as with one thread.
    """
    import operator
    if n is None:
        n = min(usable_cpus(), FA_MAX_THREADS)
    elif isinstance(n, bool):
        raise TypeError("set_num_threads() needs an int or None, not bool")
    else:
        try:
            n = operator.index(n)
        except TypeError:
            raise TypeError(f"set_num_threads() needs an int or None, not {type(n).__name__}") from None
    if not 1 <= n <= FA_MAX_THREADS:
        raise ValueError(f"number of threads must be between 1 and {FA_MAX_THREADS} (or None: "
                         f"every usable CPU), not {n}")
    old = fa_get_num_threads()
    fa_set_num_threads(n)
    return old


def _get_min_per_thread():
    """Elements per thread below which a call is not split (tests only)."""
    return fa_get_min_per_thread()


def _set_min_per_thread(Py_ssize_t m):
    """Change the split threshold, for the tests (small splits on small arrays); returns the old one."""
    if m < 1:
        raise ValueError("min_per_thread must be >= 1")
    old = fa_get_min_per_thread()
    fa_set_min_per_thread(m)
    return old
