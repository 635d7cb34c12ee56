"""fastact: neural-network activation functions and their derivatives as NumPy ufuncs.

    >>> import numpy as np, fastact as fa
    >>> x = np.linspace(-4, 4, 9, dtype=np.float32)
    >>> fa.hswish(x)                # a real np.ufunc
    >>> fa.leaky_relu(x, 0.02)      # parameters are broadcastable operands
    >>> fa.sigmoid(x, out=x)        # in place

Names: NAME (forward), NAME_grad (f'(x)), NAME_backward(dy, x) (dy * f'(x),
fused).  See fastact.show_config() for the SIMD level in use.
"""
import os as _os
import warnings as _warnings

import numpy as _np

from fastact import _table
from fastact._api import DefaultsUfunc
from fastact._api import public_objects as _public_objects
from fastact._axis import AxisGufunc
from fastact._axis import public_gufuncs as _public_gufuncs
from fastact._ufuncs import ISA_LEVELS, get_isa, set_isa, isa_supported, detected_isa
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

_objects = _public_objects(_ufunc_objects, _table)
_objects.update(_public_gufuncs(_gufuncs))  # glu, glu_backward: AxisGufunc (axis=)
globals().update(_objects)

__all__ = sorted(_objects) + [
    "rrelu_train", "prelu_weight_grad", "show_config", "get_isa", "set_isa", "isa_supported",
    "DefaultsUfunc", "AxisGufunc", "ufuncs", "__version__",
]


def show_config():
    """Print fastact's version, the SIMD level in use and what the CPU supports."""
    levels = ", ".join(f"{l}{'' if isa_supported(l) else ' (unsupported)'}" for l in ISA_LEVELS)
    print(f"fastact {__version__} (numpy {_np.__version__})")
    print(f"SIMD level in use: {get_isa()} (detected at import: {detected_isa()}; "
          f"FASTACT_ISA={_env_isa or '<unset>'})")
    print(f"levels built: {levels}")
    print(f"ufuncs: {len(_ufunc_objects)} elementwise, {len(_gufuncs)} generalized (softmax family, GLU)")
