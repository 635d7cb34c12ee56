"""fastact: neural-network activation functions and their derivatives as NumPy ufuncs.

    >>> import numpy as np, fastact as fa
    >>> x = np.linspace(-4, 4, 9, dtype=np.float32)
    >>> fa.hswish(x)                # a real np.ufunc
    >>> fa.leaky_relu(x, 0.02)      # parameters are broadcastable operands
    >>> fa.sigmoid(x, out=x)        # in place

Names: NAME (forward), NAME_grad (f'(x)), NAME_backward(dy, x) (dy * f'(x),
fused).  See fastact.show_config() for the SIMD level in use.

Threads (opt-in): fastact.set_num_threads(n), or FASTACT_NUM_THREADS=n in the
environment at import, lets a call on a large contiguous array use n threads;
``with fastact.threads(n): ...`` sets it for a block.  Default 1.
"""
import contextlib as _contextlib
import os as _os
import warnings as _warnings

import numpy as _np

from fastact import _table
from fastact._api import DefaultsUfunc
from fastact._api import public_objects as _public_objects
from fastact._axis import AxisGufunc
from fastact._axis import public_gufuncs as _public_gufuncs
from fastact._ufuncs import ISA_LEVELS, get_isa, set_isa, isa_supported, detected_isa
from fastact._ufuncs import get_num_threads, set_num_threads
from fastact._ufuncs import MAX_THREADS as _MAX_THREADS, MIN_PER_THREAD as _MIN_PER_THREAD
from fastact._ufuncs import THREADS_AVAILABLE as _THREADS_AVAILABLE, usable_cpus as _usable_cpus
from fastact._ufuncs import gufuncs as _gufuncs
from fastact._ufuncs import ufuncs as _ufunc_objects
from fastact._version import __version__
from fastact import ufuncs  # noqa: F401  (registers the bare ufuncs for pickle)
from fastact._train import prelu_weight_grad, rrelu_train

_env_isa = _os.environ.get("FASTACT_ISA", "")
if _env_isa and _env_isa not in ISA_LEVELS:
    _warnings.warn(f"FASTACT_ISA={_env_isa!r} is not one of {ISA_LEVELS}; using {get_isa()!r}",
                   RuntimeWarning, stacklevel=2)
elif _env_isa and _env_isa != get_isa():
    _warnings.warn(f"FASTACT_ISA={_env_isa!r} is not supported by this CPU; using {get_isa()!r}",
                   RuntimeWarning, stacklevel=2)


def _threads_from_env():
    """FASTACT_NUM_THREADS: a count from 1 to MAX_THREADS, or "auto" (every usable CPU)."""
    env = _os.environ.get("FASTACT_NUM_THREADS", "").strip()
    if not env:
        return
    try:
        set_num_threads(None if env.lower() == "auto" else int(env))
    except (TypeError, ValueError):
        _warnings.warn(f"FASTACT_NUM_THREADS={env!r} is not a number of threads from 1 to {_MAX_THREADS} "
                       "or 'auto'; using 1", RuntimeWarning, stacklevel=3)


_threads_from_env()


@_contextlib.contextmanager
def threads(n):
    """``with fastact.threads(n): ...`` -- set_num_threads(n) for the block, then restore.

    The setting is process-wide (not per Python thread), like set_num_threads.
    """
    old = set_num_threads(n)
    try:
        yield get_num_threads()
    finally:
        set_num_threads(old)


_objects = _public_objects(_ufunc_objects, _table)
_objects.update(_public_gufuncs(_gufuncs))  # glu, glu_backward: AxisGufunc (axis=)
globals().update(_objects)

__all__ = sorted(_objects) + [
    "rrelu_train", "prelu_weight_grad", "show_config", "get_isa", "set_isa", "isa_supported",
    "get_num_threads", "set_num_threads", "threads",
    "DefaultsUfunc", "AxisGufunc", "ufuncs", "__version__",
]


def show_config():
    """Print fastact's version, the SIMD level in use and what the CPU supports, and the threads."""
    levels = ", ".join(f"{l}{'' if isa_supported(l) else ' (unsupported)'}" for l in ISA_LEVELS)
    print(f"fastact {__version__} (numpy {_np.__version__})")
    print(f"SIMD level in use: {get_isa()} (detected at import: {detected_isa()}; "
          f"FASTACT_ISA={_env_isa or '<unset>'})")
    print(f"levels built: {levels}")
    print(f"ufuncs: {len(_ufunc_objects)} elementwise, {len(_gufuncs)} generalized (softmax family, GLU)")
    env = _os.environ.get("FASTACT_NUM_THREADS", "")
    if _THREADS_AVAILABLE:
        print(f"threads: {get_num_threads()} (set_num_threads; FASTACT_NUM_THREADS={env or '<unset>'}; "
              f"{_usable_cpus()} CPUs usable); a call is split from {2 * _MIN_PER_THREAD} contiguous "
              f"float32/float64 elements on, at least {_MIN_PER_THREAD} per thread")
    else:
        print(f"threads: {get_num_threads()} requested, but this build has no threads: every call runs "
              "in the calling thread")
