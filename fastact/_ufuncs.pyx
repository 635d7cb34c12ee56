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
