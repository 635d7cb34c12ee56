"""The public objects: the ufuncs, and small wrappers that give defaults.

A NumPy ufunc cannot have default operands.  Where a parameter has a well
known default (leaky_relu's alpha = 0.01, ...), the public name is a
``DefaultsUfunc``: ``f(x, alpha=0.01, /, **ufunc_kwargs)`` calls the ufunc
(``f.ufunc``), so out=, where=, dtype=, casting= pass straight through and
``__array_ufunc__`` dispatch (dask, xarray) still happens.  The defaults go in
as Python floats, weak scalars under NumPy 2's promotion rules, so float16 and
float32 inputs keep their dtype.  The call itself is compiled
(``fastact._ufuncs.DefaultsCall``, fastact/_call.pxi).
"""
import inspect

import numpy as np

from fastact._ufuncs import DefaultsCall

_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


class DefaultsUfunc(DefaultsCall):
    """A ufunc whose trailing parameter operands have defaults."""

    def __init__(self, ufunc, inputs, params, name=None):
        self.ufunc = ufunc
        self._ndata = ndata = len(inputs) - len(params)
        self._names = tuple(p.name for p in params)
        self._defaults = tuple(float(p.default) for p in params)
        # dtype -> the defaults as read-only 0-d arrays of that dtype (DefaultsCall)
        self._typed = {}
        for dt in _FLOATS:
            arrs = tuple(np.array(d, dtype=dt) for d in self._defaults)
            for a in arrs:
                a.flags.writeable = False
            self._typed[dt] = arrs
        self.__name__ = self.__qualname__ = name or ufunc.__name__
        self.__module__ = "fastact"  # pickles by name as fastact.<name>
        self.__doc__ = None  # set below, after the signature
        data = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY)
                for n in inputs[:ndata]]
        data += [inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY, default=d)
                 for n, d in zip(self._names, self._defaults)]
        data.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
        self.__signature__ = inspect.Signature(data)
        # NumPy's own first line shows the ufunc's operands (x1, x2, ...): show ours
        self.__doc__ = f"{self.__name__}{self.__signature__}\n\n" + ufunc.__doc__.split("\n\n", 1)[1]

    def __getattr__(self, attr):  # nin, nout, types, ntypes, identity, signature ...
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self.ufunc, attr)

    def __repr__(self):
        d = ", ".join(f"{n}={v!r}" for n, v in zip(self._names, self._defaults))
        return f"<fastact.{self.__name__}: ufunc {self.ufunc.__name__!r} with defaults {d}>"

    def __reduce__(self):
        return self.__name__


def public_objects(ufuncs, table):
    """name -> the object exported under that name (ufunc or DefaultsUfunc)."""
    out = {}
    for u in table.UFUNCS:
        uf = ufuncs[u.name]
        out[u.name] = DefaultsUfunc(uf, u.inputs, u.params) if u.has_defaults else uf
    for alias, target in table.ALIASES.items():
        out[alias] = out[target]
    return out
