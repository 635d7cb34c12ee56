/* glu.c -- the core-dimension hook of the GLU gufuncs.
 *
 * glu has the signature (m)->(n) and glu_backward (n),(m)->(m): NumPy knows
 * nothing of m = 2n, and cannot allocate glu's output (n is the output's
 * alone).  NumPy >= 2.1 calls a gufunc's process_core_dims_func with the
 * core dimensions before it allocates the outputs: this one requires an
 * even, nonzero m (torch: "Halving dimension must be even"), sets n = m / 2
 * where the caller gave no output, and checks n where one was given (glu's
 * out=, glu_backward's dy).
 *
 * The field exists in PyUFuncObject from NumPy 2.1 on, so this file (alone)
 * is compiled against that layout, and the hook is installed only when the
 * NumPy at run time is as new (fa_glu_install_hook).  On NumPy 2.0 glu needs
 * out=, and the loop checks m = 2n itself (softmax.c).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_TARGET_VERSION NPY_2_1_API_VERSION
#define NO_IMPORT_ARRAY /* only the struct layout is used here, no API call */
#define NO_IMPORT_UFUNC
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>
#include "fa_softmax.h"

static int fa_glu_core_dims(PyUFuncObject *ufunc, npy_intp *core_dim_sizes)
{
    const fa_gufunc *g = (const fa_gufunc *)ufunc->data[0];
    npy_intp *pm = &core_dim_sizes[g->halve[0]], *pn = &core_dim_sizes[g->halve[1]];
    if (*pm % 2 != 0 || *pm == 0) {
        PyErr_Format(PyExc_ValueError,
                     "%s: halving dimension must be even and nonzero, but the axis has length %zd "
                     "(x = [a, b] is split in two halves along it)",
                     g->name, (Py_ssize_t)*pm);
        return -1;
    }
    if (*pn == -1) { /* an output NumPy allocates: n is ours to give */
        *pn = *pm / 2;
    } else if (*pn != *pm / 2) {
        PyErr_Format(PyExc_ValueError,
                     "%s: %s must have half the length of x along the axis, %zd, but has %zd",
                     g->name, g->n_operand, (Py_ssize_t)(*pm / 2), (Py_ssize_t)*pn);
        return -1;
    }
    return 0;
}

int fa_glu_install_hook(void *ufunc, unsigned int numpy_feature_version)
{
    if (numpy_feature_version < NPY_2_1_API_VERSION) return 0;
    ((PyUFuncObject *)ufunc)->process_core_dims_func = fa_glu_core_dims;
    return 1;
}
