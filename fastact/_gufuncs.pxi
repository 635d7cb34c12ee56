# The softmax family as generalized ufuncs (included by _ufuncs.pyx).
# Defines `gufuncs`: name -> np.ufunc with a core signature.  The loops and
# the row kernels are C (src_c/softmax.c, softmax_row.h); this only registers
# them, with float16, float32, float64 loops in that order (float16/float32
# keep their dtype, integers promote to float64 as for np.tanh).
from numpy cimport PyUFunc_FromFuncAndDataAndSignature

cdef extern from "fa_softmax.h":
    ctypedef struct fa_gufunc:
        const char *name
        const char *signature
        int nin
        int core_out
        void *data[3]
    fa_gufunc fa_gufuncs[]
    const int fa_ngufuncs
    void *fa_gu_loop_funcs[3]

_GUFUNC_DOCS = {
    "softmax": """\
Softmax over the last axis (or `axis`): ``exp(x - max(x)) / sum(exp(x - max(x)))``.

A generalized ufunc with signature ``(n)->(n)``: ``axis=``, ``axes=``,
``out=`` (also ``out=x``, in place) come from NumPy.  Computed in double
(float32 and float16 rows too; float64 rows with a compensated sum) and
stable for any logits: the row maximum is subtracted first.

Rows with special values:

- NaN anywhere -> the whole row is NaN;
- all -inf -> NaN (0/0, as torch and scipy);
- exactly one +inf -> one-hot at it (the limit; torch and scipy give NaN);
- several +inf -> NaN (the limit depends on the rates);
- one element -> 1.0; an empty row (n = 0) -> an empty result.

Error: float32 is rounded once from a double result, float16 through float32
(measured <= 0.5 ULP, bound 1 ULP); float64 <= 3 ULP (measured 2.0 against
mpmath); the instruction-set levels agree within 2 ULP.

Examples
--------
>>> import numpy as np, fastact as fa
>>> x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, -np.inf]])
>>> fa.softmax(x)                       # rows
array([[0.09003057, 0.24472847, 0.66524096],
       [0.5       , 0.5       , 0.        ]])
>>> fa.softmax(x[:1].T, axis=0)         # columns
array([[0.09003057],
       [0.24472847],
       [0.66524096]])
""",
    "log_softmax": """\
Log of softmax over the last axis (or `axis`): ``x - max(x) - log(sum(exp(x - max(x))))``.

A generalized ufunc with signature ``(n)->(n)``.  log(sum) is computed as
``log1p`` of the sum without the maximum's own term, so
``log_softmax([0, -1000])`` is ``[0, -1000]`` exactly, with no overflow.

Rows with special values:

- NaN anywhere -> the whole row is NaN;
- all -inf -> NaN (as torch and scipy);
- exactly one +inf -> 0 at it and -inf elsewhere (the limit);
- several +inf -> NaN;
- one element -> 0.0; an empty row (n = 0) -> an empty result.

Error: float32 and float16 <= 1 ULP (measured 0.5); float64 <= 2 ULP
(measured 1.0 against mpmath).

Examples
--------
>>> import numpy as np, fastact as fa
>>> fa.log_softmax(np.array([0.0, -1000.0]))
array([    0., -1000.])
>>> fa.log_softmax(np.array([[1.0, 1.0], [2.0, 0.0]]), axis=0)
array([[-1.31326169, -0.31326169],
       [-0.31326169, -1.31326169]])
""",
    "logsumexp": """\
``log(sum(exp(x)))`` over the last axis (or `axis`), computed as
``max(x) + log1p(sum of exp(x - max(x)) without the maximum's term)``.

A generalized ufunc with signature ``(n)->()``: ``axis=``, ``keepdims=``,
``out=`` come from NumPy.

Rows with special values:

- NaN anywhere -> NaN;
- all -inf -> -inf (as scipy.special.logsumexp);
- one or several +inf -> +inf;
- an empty row (n = 0) -> -inf (the log of an empty sum, as
  scipy.special.logsumexp and torch.logsumexp).

Error: float32 and float16 <= 1 ULP (measured 0.5), except near 0;
float64 within 1 ULP of |max(x)| + log(n).  Near 0, max + log(sum) cancels:
every dtype is then within 1 ULP of |max(x)| + log(n) (measured 0.001 ULP of
it for float32, which can be many ULP of a tiny result; float64 up to 3 ULP
of the result).

Examples
--------
>>> import numpy as np, fastact as fa
>>> x = np.array([[0.0, 0.0], [10.0, 10.0]])
>>> fa.logsumexp(x)
array([ 0.69314718, 10.69314718])
>>> fa.logsumexp(x, axis=0, keepdims=True)
array([[10.0000454, 10.0000454]])
>>> fa.logsumexp(np.array([1000.0, 1000.0]))     # no overflow
np.float64(1000.6931471805599)
""",
    "softmin": """\
Softmin over the last axis (or `axis`): ``softmax(-x)``.

A generalized ufunc with signature ``(n)->(n)``.  The edge rows are those
of softmax with the roles of +inf and -inf swapped: one -inf -> one-hot at
it, several -inf -> NaN, all +inf -> NaN, NaN anywhere -> NaN row.

Examples
--------
>>> import numpy as np, fastact as fa
>>> fa.softmin(np.array([[1.0, 2.0], [3.0, 3.0]]), axis=0)
array([[0.88079708, 0.73105858],
       [0.11920292, 0.26894142]])
""",
    "softmax_backward": """\
softmax_backward(y, dy): the gradient through softmax,
``y * (dy - sum(dy * y))``, where `y` is the softmax *output* (the
from-output form) and `dy` the gradient with respect to it.

A generalized ufunc with signature ``(n),(n)->(n)``; pass the same `axis`
as to softmax.  The sum is compensated and in double.  NaN anywhere in y or
dy makes the row NaN; infinities follow IEEE arithmetic of the formula.

Examples
--------
>>> import numpy as np, fastact as fa
>>> x = np.array([[1.0, 2.0], [0.5, 0.5]])
>>> y = fa.softmax(x, axis=0)
>>> fa.softmax_backward(y, np.ones_like(y), axis=0)   # d(sum y)/dx = 0
array([[0., 0.],
       [0., 0.]])
""",
    "log_softmax_backward": """\
log_softmax_backward(y, dy): the gradient through log_softmax,
``dy - exp(y) * sum(dy)``, where `y` is the log_softmax *output* (the
from-output form) and `dy` the gradient with respect to it.

A generalized ufunc with signature ``(n),(n)->(n)``; pass the same `axis`
as to log_softmax.  The sum is compensated and in double.  NaN anywhere in
y or dy makes the row NaN; infinities follow IEEE arithmetic of the formula.

Examples
--------
>>> import numpy as np, fastact as fa
>>> y = fa.log_softmax(np.array([[0.0, 0.0], [0.0, 0.0]]), axis=0)
>>> fa.log_softmax_backward(y, np.array([[1.0, 0.0], [0.0, 0.0]]), axis=0)
array([[ 0.5,  0. ],
       [-0.5,  0. ]])
""",
}


cdef object _make_gufunc(int i):
    cdef fa_gufunc *g = &fa_gufuncs[i]
    name = g.name.decode()
    doc = _GUFUNC_DOCS.get(name)
    if doc is None:
        raise ImportError(f"fastact: the gufunc {name!r} has no docstring")
    b = doc.encode("utf-8")
    _docs.append(b)  # NumPy keeps the char*
    return PyUFunc_FromFuncAndDataAndSignature(
        <PyUFuncGenericFunction *>fa_gu_loop_funcs, g.data, fa_types[g.nin], 3,
        g.nin, 1, PyUFunc_None, <char *>g.name, <char *>b, 0, <char *>g.signature)


gufuncs = {fa_gufuncs[i].name.decode(): _make_gufunc(i) for i in range(fa_ngufuncs)}
