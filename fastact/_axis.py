"""axis= for the gufuncs whose operands have different core dimensions (GLU).

NumPy's ``axis=`` keyword works only for a gufunc whose operands share one
core dimension, like softmax's ``(n)->(n)``.  glu is ``(m)->(n)`` with
m = 2n, and glu_backward ``(n),(m)->(m)``: for them ``axis=`` raises
TypeError ("axis can only be used with a single shared core dimension").
The public ``fastact.glu`` is therefore an ``AxisGufunc``: a small callable
that turns ``axis=`` into ``axes=[(axis,)] * nargs`` (the same axis in every
operand) and calls the gufunc (``f.ufunc``), so that ``out=``, ``dtype=``,
``casting=``, ``axes=`` pass straight through and ``__array_ufunc__``
dispatch still happens; it pickles by name, like ``DefaultsUfunc``.

Typed inline (no stub): fastact/__init__.pyi re-exports the class.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Mapping, Sequence
from typing import Any, SupportsIndex

import numpy as np


def has_distinct_core_dims(ufunc: Any) -> bool:
    """Whether a gufunc's operands have more than one core dimension between them."""
    return len(set(re.findall(r"\w+", getattr(ufunc, "signature", None) or ""))) > 1


class AxisGufunc:
    """A gufunc with one core axis per operand, called with ``axis=`` (default -1)."""

    def __init__(self, ufunc: np.ufunc, inputs: Sequence[str] | None = None, name: str | None = None) -> None:
        self.ufunc = ufunc
        self.__name__ = self.__qualname__ = name or ufunc.__name__
        self.__module__ = "fastact"  # pickles by name as fastact.<name>
        names = inputs or (("x",) if ufunc.nin == 1 else tuple(f"x{i + 1}" for i in range(ufunc.nin)))
        params = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY) for n in names]
        params.append(inspect.Parameter("axis", inspect.Parameter.KEYWORD_ONLY, default=-1))
        params.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
        self.__signature__ = inspect.Signature(params)
        # NumPy's own first line shows the gufunc's operands: show ours
        self.__doc__ = f"{self.__name__}{self.__signature__}\n\n" + (ufunc.__doc__ or "").split("\n\n", 1)[-1]

    def __call__(self, *args: Any, axis: SupportsIndex = -1, **kwargs: Any) -> Any:
        if "axes" in kwargs:
            if axis != -1:
                raise TypeError(f"{self.__name__}() takes axis= or axes=, not both")
            return self.ufunc(*args, **kwargs)
        return self.ufunc(*args, axes=[(axis,)] * self.ufunc.nargs, **kwargs)

    def __getattr__(self, attr: str) -> Any:  # nin, nout, signature, types ...
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self.ufunc, attr)

    def __repr__(self) -> str:
        return f"<fastact.{self.__name__}: gufunc {self.ufunc.__name__!r} {self.ufunc.signature} with axis=>"

    def __reduce__(self) -> str:
        return self.__name__


# the operands' names, where they are not just x
INPUTS: dict[str, tuple[str, ...]] = {"glu_backward": ("dy", "x")}


def public_gufuncs(gufuncs: Mapping[str, np.ufunc]) -> dict[str, np.ufunc | AxisGufunc]:
    """name -> the object exported under that name: the gufunc, or its AxisGufunc."""
    return {name: AxisGufunc(g, INPUTS.get(name)) if has_distinct_core_dims(g) else g
            for name, g in gufuncs.items()}
