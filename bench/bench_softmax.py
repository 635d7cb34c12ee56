"""ns per element of softmax over a (1000, 1000) array, fastact against the usual ways.

    PYTHONPATH=. python bench/bench_softmax.py [--dtype float32] [--repeats 15]

Competitors (each only if importable): scipy.special.softmax, the NumPy
composite exp(x - max) / sum, torch.softmax with one thread, and onnxruntime
(a one-node Softmax graph, one intra-op thread, IO binding to NumPy memory).
The calls are interleaved (one call of each per round, rounds repeated) and
the median is reported, so a noisy neighbour hits every competitor alike.
"""
import argparse
import statistics
import time

import numpy as np

import fastact as fa


def numpy_softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def competitors(x, axis):
    out = {"fastact": lambda: fa.softmax(x, axis=axis),
           "numpy composite": lambda: numpy_softmax(x, axis)}
    try:
        import scipy.special
        out["scipy.special"] = lambda: scipy.special.softmax(x, axis=axis)
    except ImportError:
        pass
    try:
        import torch
        torch.set_num_threads(1)
        t = torch.from_numpy(x)
        out["torch (1 thread)"] = lambda: torch.softmax(t, axis)
    except ImportError:
        pass
    try:
        out["onnxruntime (1 thread)"] = _onnx_softmax(x, axis)
    except ImportError:
        pass
    return out


def _onnx_softmax(x, axis):
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    elem = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}[x.dtype.type]
    node = helper.make_node("Softmax", ["x"], ["y"], axis=axis)
    graph = helper.make_graph([node], "softmax", [helper.make_tensor_value_info("x", elem, x.shape)],
                              [helper.make_tensor_value_info("y", elem, x.shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    y = np.empty_like(x)
    io = sess.io_binding()
    io.bind_cpu_input("x", x)
    io.bind_output("y", "cpu", 0, x.dtype, y.shape, y.ctypes.data)
    np.testing.assert_allclose(sess.run(None, {"x": x})[0], fa.softmax(x, axis=axis), rtol=1e-5, atol=1e-7)
    def run(y=y, x=x):  # keeps the bound buffers alive
        sess.run_with_iobinding(io)

    return run


def bench(x, axis, repeats, number):
    funcs = competitors(x, axis)
    times = {name: [] for name in funcs}
    for f in funcs.values():  # warm up
        f()
    for _ in range(repeats):
        for name, f in funcs.items():
            t0 = time.perf_counter()
            for _ in range(number):
                f()
            times[name].append((time.perf_counter() - t0) / number)
    return {name: statistics.median(ts) / x.size * 1e9 for name, ts in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--shape", default="1000,1000")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--number", type=int, default=5)
    args = ap.parse_args()
    shape = tuple(int(s) for s in args.shape.split(","))
    x = np.random.default_rng(0).standard_normal(shape).astype(args.dtype)
    print(f"fastact {fa.__version__}, ISA {fa.get_isa()}, numpy {np.__version__}; "
          f"softmax of {args.dtype} {shape}, median of {args.repeats} interleaved rounds, ns/element")
    for axis in (-1, 0):
        res = bench(x, axis, args.repeats, args.number)
        best = min(v for k, v in res.items() if k != "fastact")
        print(f"axis={axis}:")
        for name, ns in res.items():
            print(f"  {name:24s} {ns:7.3f}")
        print(f"  fastact speed-up over the fastest other: {best / res['fastact']:.2f}x")


if __name__ == "__main__":
    main()
