"""Every fastact function as its bare ``np.ufunc``, by name.

``fastact.leaky_relu`` is a small wrapper that supplies the default alpha;
``fastact.ufuncs.leaky_relu`` is the ufunc itself (the same object as
``fastact.leaky_relu.ufunc``).  This is also where pickle finds a ufunc by its
name (dask and xarray hand the bare ufunc around), so it must stay importable.
"""
from fastact._ufuncs import gufuncs as _gufuncs
from fastact._ufuncs import ufuncs as _ufuncs

globals().update(_ufuncs)
globals().update(_gufuncs)
__all__ = sorted(_ufuncs) + sorted(_gufuncs)
