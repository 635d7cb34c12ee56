# The call of fastact.DefaultsUfunc (fastact/_api.py), compiled: a Python
# __call__ costs more than a 10-element kernel.  Included by _ufuncs.pyx.

cimport cython


@cython.auto_pickle(False)  # DefaultsUfunc pickles by name (its __reduce__)
cdef class DefaultsCall:
    """Base of fastact.DefaultsUfunc: ``ufunc(*data, *defaults, **kwargs)``.

    Where every data operand is an ndarray of one float dtype and no keyword
    but ``out`` is given, the defaults go in as 0-d arrays of that dtype made
    once (``_typed``): NumPy's promotion of a Python float costs more than
    the kernel, and a weak Python float is cast to the operands' dtype anyway.
    """
    cdef public object ufunc
    cdef public Py_ssize_t _ndata
    cdef public tuple _defaults
    cdef public dict _typed

    def __call__(self, *args, **kwargs):
        cdef Py_ssize_t n = len(args), i
        cdef object x, typed, a
        if n == self._ndata and (not kwargs or (len(kwargs) == 1 and "out" in kwargs)):
            x = args[n - 1]
            if type(x) is cnp.ndarray:
                typed = self._typed.get((<cnp.ndarray>x).dtype)
                if typed is not None:
                    for i in range(n - 1):  # dy of a backward: the same dtype
                        a = args[i]
                        if type(a) is not cnp.ndarray or (<cnp.ndarray>a).dtype is not (<cnp.ndarray>x).dtype:
                            break
                    else:
                        return self.ufunc(*(args + <tuple>typed), **kwargs)
        if n < self._ndata or n > self._ndata + len(self._defaults):
            raise TypeError(f"{getattr(self, '__name__', 'ufunc')}() takes {self._ndata} to "
                            f"{self._ndata + len(self._defaults)} positional arguments but {n} were given")
        return self.ufunc(*(args + self._defaults[n - self._ndata:]), **kwargs)
