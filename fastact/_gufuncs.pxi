# The softmax family and GLU as generalized ufuncs (included by _ufuncs.pyx).
# Defines `gufuncs`: name -> np.ufunc with a core signature.  The loops and
# the row kernels are C (src_c/softmax.c, softmax_row.h, glu.inc); this only
# registers them, with float16, float32, float64 loops in that order
# (float16/float32 keep their dtype, integers promote to float64 as for
# np.tanh), and gives GLU its core-dimension hook (src_c/glu.c).
from numpy cimport PyUFunc_FromFuncAndDataAndSignature

cdef extern from "fa_softmax.h":
    ctypedef struct fa_gufunc:
        const char *name
        const char *signature
        int nin
        int core_out
        void *data[3]
        int halve[2]
    fa_gufunc fa_gufuncs[]
    const int fa_ngufuncs
    void *fa_gu_loop_funcs[3]
    int fa_glu_install_hook(void *ufunc, unsigned int numpy_feature_version)

cdef extern from "numpy/arrayobject.h":
    unsigned int PyArray_GetNDArrayCFeatureVersion()

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
    "glu": """\
Gated linear unit along `axis` (default -1), as ``torch.nn.functional.glu(x, dim)``:
x = [a, b] is split in two halves along the axis and ``glu(x) = a * sigmoid(b)``.

The axis must have an even, nonzero length m (ValueError otherwise); the
result has n = m / 2 along it.  A generalized ufunc with signature
``(m)->(n)``; as NumPy's ``axis=`` does not apply to two different core
dimensions, ``fastact.glu`` passes ``axes=[(axis,), (axis,)]`` to the gufunc
itself (``fastact.glu.ufunc``, ``fastact.ufuncs.glu``); ``out=``, ``axes=``,
``dtype=``, ``casting=`` pass through.  Needs NumPy >= 2.1 to allocate the
output (its core-dimension hook); on NumPy 2.0 give ``out=``.

Computed in double and rounded once: float32 <= 1 ULP, float16 <= 1 ULP
(via float32), float64 <= 2 ULP of the exact a * sigmoid(b), tails included
(``glu([1, -100])`` in float32 is 3.7e-44, not 0: a subnormal result is
rounded once; in float64 ``glu([1e300, -800])`` = 3.6e-48).

Special values: NaN in a or b -> NaN; sigmoid(+inf) = 1 and sigmoid(-inf)
= 0, their limits: glu(a, +inf) = a, glu(a, -inf) = 0 with the sign of a;
a = +-inf with b = -inf -> NaN (inf * 0: a and b vary independently, so
there is no limit; as torch).

There is no ``glu_grad``: GLU maps m inputs to m / 2 outputs, so its
derivative is a Jacobian (two diagonal blocks), not an elementwise f'(x).
``glu_backward(dy, x)`` is the derivative as a backward pass: dy times the
Jacobian.

Examples
--------
>>> import numpy as np, fastact as fa
>>> x = np.array([[1.0, 2.0, 0.0, 100.0], [-1.0, 3.0, -1.0, 0.0]])
>>> fa.glu(x)                     # a = x[:, :2], b = x[:, 2:]
array([[ 0.5       ,  2.        ],
       [-0.26894142,  1.5       ]])
>>> fa.glu(x, axis=0)             # a = x[0], b = x[1]
array([[ 0.26894142,  1.90514825,  0.        , 50.        ]])
>>> fa.glu(np.array([1.0, -100.0], np.float32))   # the tail, not 0
array([3.8e-44], dtype=float32)
""",
    "glu_backward": """\
glu_backward(dy, x): the gradient through GLU along `axis` (default -1),
with x = [a, b] split in halves along the axis and s = sigmoid(b):
``[dy * s, dy * a * s * (1 - s)]``, the shape of x (dy has half of x's
length along the axis: ValueError otherwise).

A generalized ufunc with signature ``(n),(m)->(m)``, m = 2n; pass the same
`axis` as to glu (``fastact.glu_backward`` turns it into ``axes=``).
s (1 - s) is formed as e / (1 + e)^2 with e = exp(-|b|) (no cancellation,
its tails included).  Computed in double and rounded once: float32 and
float16 <= 1 ULP, float64 <= 2 ULP for dx_a (as glu) and <= 3 ULP for dx_b.
NaN in an operand that an output depends on -> NaN (dx_a does not depend on
a); infinite dy or a times a factor that is 0 (s at b = -inf, s (1 - s) at
b = +-inf) -> NaN, as torch.  This is GLU's derivative: there is no
elementwise ``glu_grad`` (see glu).

Examples
--------
>>> import numpy as np, fastact as fa
>>> x = np.array([3.0, 0.0])          # a = 3, b = 0: s = 1/2
>>> fa.glu_backward(np.array([2.0]), x)    # [2 s, 2 * 3 s (1 - s)]
array([1. , 1.5])
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
    uf = PyUFunc_FromFuncAndDataAndSignature(
        <PyUFuncGenericFunction *>fa_gu_loop_funcs, g.data, fa_types[g.nin], 3,
        g.nin, 1, PyUFunc_None, <char *>g.name, <char *>b, 0, <char *>g.signature)
    if g.halve[0] >= 0:  # GLU: m = 2n is checked, and n given, before NumPy allocates
        fa_glu_install_hook(<void *>uf, PyArray_GetNDArrayCFeatureVersion())
    return uf


gufuncs = {fa_gufuncs[i].name.decode(): _make_gufunc(i) for i in range(fa_ngufuncs)}
