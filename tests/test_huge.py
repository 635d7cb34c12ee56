"""Loops over more than 2**31 elements in ONE inner-loop call: no 32-bit index anywhere.

Each case is arranged so that NumPy hands fastact's loop the whole length at
once (operands of the loop's own dtype, no casting, so no buffering), and
marker values are placed just below and above 2**31 and 2**32 - 1 ... so a
wrapped index shows as a wrong value there.  Marked slow; skipped when the
machine has not enough available memory.
"""
import numpy as np
import pytest

import fastact as fa

N = 2**31 + 17
pytestmark = pytest.mark.slow


def _available_bytes():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _need(nbytes):
    avail = _available_bytes()
    if avail < nbytes + (2 << 30):
        pytest.skip(f"needs {nbytes / 2**30:.1f} GiB + 2 GiB free, {avail / 2**30:.1f} GiB available")


MARKS = [0, 1, 2**31 - 2, 2**31 - 1, 2**31, 2**31 + 1, N - 2, N - 1]


def _all_equal(a, value, chunk=1 << 26):
    """a == value everywhere (bitwise), in chunks so no 2**31 temporary is allocated."""
    v = np.array(value, a.dtype).view(np.uint16 if a.itemsize == 2 else np.uint32)
    u = a.view(v.dtype)
    for i in range(0, a.size, chunk):
        if not np.all(u[i:i + chunk] == v):
            bad = np.flatnonzero(u[i:i + chunk] != v)[:5] + i
            raise AssertionError(f"{bad.size}+ wrong elements, e.g. at {bad.tolist()}: "
                                 f"{a[bad]} != {value}")


def test_float16_broadcast_input_contiguous_and_reversed_output():
    """float16 (the blocked gather/scatter path) from a 0-stride input into a 4.3 GB
    output, forward and through a negative-stride view of it."""
    _need(N * 2)
    x = np.broadcast_to(np.float16(-0.5), (N,))
    out = np.empty(N, np.float16)
    r = fa.sigmoid(x, out=out)
    assert r is out
    want = fa.sigmoid(np.float16(-0.5))
    _all_equal(out, want)
    # negative stride: the pointer arithmetic of the last blocks reaches back 4 GB
    x2 = np.broadcast_to(np.float16(2.0), (N,))
    fa.relu(x2, out=out[::-1])
    _all_equal(out, np.float16(2.0))
    del out


def test_float32_contiguous_in_place_markers():
    """The contiguous fast path: one kernel call over 2**31 + 17 float32 elements, in
    place, with distinct values at the positions a 32-bit index would confuse."""
    _need(N * 4)
    x = np.empty(N, np.float32)
    x.fill(-1.0)
    vals = np.arange(1, len(MARKS) + 1, dtype=np.float32)  # positive: leaky_relu keeps them
    x[MARKS] = vals
    fa.leaky_relu(x, 0.25, out=x)
    np.testing.assert_array_equal(x[MARKS], vals)
    x[MARKS] = -0.25
    _all_equal(x, np.float32(-0.25))
    del x


def test_float32_strided_output_markers():
    """The blocked path with strides > 2**31 bytes: every second element of a float32
    view (the same buffer read forward, written backward)."""
    n = 2**30 + 9  # elements of the strided view; the buffer spans 2 * n * 4 > 2**32 + 2**31 bytes
    m = 2 * n
    _need(m * 4)
    buf = np.empty(m, np.float32)
    buf.fill(-2.0)
    view = buf[::2]
    marks = [0, n // 2, n - 2, n - 1]
    view[marks] = [3.0, 4.0, 5.0, 6.0]
    fa.relu(view, out=view)  # element for element: no copy by NumPy
    np.testing.assert_array_equal(view[marks], [3.0, 4.0, 5.0, 6.0])
    assert view[1] == 0.0 and view[n - 3] == 0.0
    _all_equal(buf[1::2], np.float32(-2.0))  # the odd elements are untouched
    del buf


def test_gufunc_more_than_2_31_rows():
    """logsumexp over 2**31 + 17 rows of one element (float16: the gathered path)."""
    _need(N * 2)
    x = np.broadcast_to(np.float16(3.0), (N, 1))
    out = np.empty(N, np.float16)
    fa.logsumexp(x, axis=-1, out=out)
    _all_equal(out, np.float16(3.0))
    del out
