"""Build of fastact's one extension: the C kernels and the Cython ufunc module.

The kernel list is generated from fastact/_table.py into
src_c/generated/fa_gen.h (a build product, never edited by hand).  Each
kernels_<isa>.c compiles the same kernels.inc for one instruction-set level
(its target is set inside the file); the level is chosen at run time, so no
-march flag is ever passed and the wheel runs on any x86-64 CPU.
"""
import importlib.util
import os
import sys

import numpy as np
from Cython.Build import cythonize
from pybind11.setup_helpers import ParallelCompile
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def generate_header():
    spec = importlib.util.spec_from_file_location("_fa_table", os.path.join(HERE, "fastact", "_table.py"))
    table = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = table  # dataclasses look their module up
    spec.loader.exec_module(table)
    text = table.c_header()
    path = os.path.join(HERE, "src_c", "generated", "fa_gen.h")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = open(path).read() if os.path.exists(path) else None
    if old != text:  # keep the timestamp (and the build cache) when nothing changed
        with open(path, "w") as f:
            f.write(text)


generate_header()
ParallelCompile("NPY_NUM_BUILD_JOBS", default=2).install()

c_sources = ["dispatch.c", "loops.c", "fa_threads.c", "kernels_baseline.c", "kernels_avx2.c", "kernels_avx512.c",
             "softmax.c", "glu.c"]
ext = Extension(
    "fastact._ufuncs",
    sources=["fastact/_ufuncs.pyx"] + [os.path.join("src_c", s) for s in c_sources],
    include_dirs=[np.get_include(), "src_c", os.path.join("src_c", "generated")],
    depends=[os.path.join("src_c", h) for h in ("fastact.h", "fa_math.h", "fa_math.inc", "fa_roots.h",
                                                  "activations.h", "activations_f32.h", "kernels.inc",
                                                  "fa_half.h", "fa_fpstatus.h", "fa_threads.h", "fa_softmax.h",
                                                  "softmax.inc", "softmax_row.h", "glu.inc")]
    + [os.path.join("src_c", "generated", "fa_gen.h"), os.path.join("fastact", "_gufuncs.pxi"),
       os.path.join("fastact", "_call.pxi")],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_23_API_VERSION")],
    # -fno-trapping-math lets gcc if-convert (and so vectorize) selects whose
    # arms may raise FP flags; values are unchanged, and loops.c restores the flags.
    # -ffp-contract=off: no FMA contraction (the error-free transformations in
    # fa_math.inc rely on it); the AVX2/AVX-512 kernels use FMA explicitly
    # (fa_math.h FA_USE_FMA) in polynomials and product error terms.
    extra_compile_args=["-O3", "-fno-trapping-math", "-ffp-contract=off", "-fno-semantic-interposition",
                        "-pthread"]
    if os.name != "nt" else ["/O2"],
    extra_link_args=["-pthread"] if os.name != "nt" else [],  # fa_threads.c (set_num_threads)
)

setup(ext_modules=cythonize([ext], language_level=3))
