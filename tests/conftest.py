"""Shared fixtures: no floating-point warning anywhere, and the ISA levels.

Every test runs under np.errstate(all="raise"): a fastact kernel that leaves an
FP flag raised (overflow in 1/(1+exp(-x)), an invalid compare with NaN ...)
makes NumPy raise FloatingPointError and the test fail.
"""
import os
import sys
import threading

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # tests/_ulp.py

import fastact  # noqa: E402
from fastact import ISA_LEVELS, get_isa, isa_supported, set_isa  # noqa: E402

SUPPORTED_ISA = [level for level in ISA_LEVELS if isa_supported(level)]


def pytest_report_header(config):
    return (f"fastact {fastact.__version__} from {os.path.dirname(fastact.__file__)}; "
            f"ISA levels tested: {', '.join(SUPPORTED_ISA)} (default {get_isa()})")


@pytest.fixture(autouse=True)
def _fp_errors_raise():
    with np.errstate(all="raise"):
        yield


@pytest.fixture(params=SUPPORTED_ISA)
def isa(request):
    """Run the test with the kernels of one instruction-set level; restore the old one."""
    old = set_isa(request.param)
    try:
        yield request.param
    finally:
        set_isa(old)


def run_in_threads(worker, n):
    """worker(k) for k < n, in n threads started together; the first errors re-raised here."""
    errors = []
    barrier = threading.Barrier(n)

    def run(k):
        try:
            barrier.wait()
            worker(k)
        except BaseException as e:  # noqa: BLE001 -- reported below
            errors.append(e)

    ts = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors[:3]
