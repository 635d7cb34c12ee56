"""A NumPy training demo built on fastact's forward and backward ufuncs.

    python -m fastact demo [--quick] [--epochs N] [--seed S] [--seeds N] [--activations A ...]
                           [--depth D] [--width W] [--lr LR] [--schedule cosine|constant]
                           [--json FILE] [--plot DIR] [--markdown FILE]   (--help: all)

A multilayer perceptron in plain NumPy learns to separate two interleaved
spirals that it generates itself from the seed (no downloads).  Every
activation, derivative and softmax call is a fastact ufunc:

- forward: ``NAME(z, out=h)`` into preallocated buffers;
- backward: the fused ``NAME_backward(dh, z, out=dz)`` = dh * f'(z);
- PReLU's per-unit slope: ``prelu_backward`` for the signal and
  ``prelu_weight_grad`` for the slope, trained with the weights;
- RReLU: ``rrelu_train`` (random slopes, then ``prelu_backward``) while
  training and ``rrelu`` (the mean slope) in evaluation;
- output: ``log_softmax`` + cross-entropy, ``log_softmax_backward`` for the
  gradient; ``NAME_grad`` finds the dead units.

The same network (depth, width, initial weights, batch order) is trained
with each activation from the same seed, and a markdown table compares the
accuracy, the loss, the time, the gradient norm per layer at initialisation
(the vanishing gradient) and the fraction of dead units (the dying ReLU).

Only numpy, the standard library and fastact are imported; matplotlib only for
``--plot``.  The subcommand is ``add_arguments(parser)`` + ``run(args)``.
"""
from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace

import numpy as np

import fastact as fa
from fastact import _table

# the default comparison: the classic saturating functions, the ReLU family, the smooth modern ones
DEFAULT_ACTIVATIONS = (
    "sigmoid", "tanh", "softsign", "relu", "leaky_relu", "prelu", "rrelu", "relu6", "elu", "selu",
    "hardswish", "silu", "gelu", "mish", "softplus",
)


# ---- data ------------------------------------------------------------------------
def make_spirals(n, rng, turns=3.0, noise=0.04, dtype=np.float32):
    """Two interleaved spirals: ``n`` points in the plane, labels 0/1 (half each).

    Arm k (k = 0, 1) is ``r (cos t, sin t)`` with ``t = 2 pi turns r + pi k`` and
    ``r`` in (0, 1] (sqrt-distributed, so the points spread evenly along the
    arm), plus Gaussian noise of standard deviation ``noise``.  Returns
    ``(x, y)``: x of shape (n, 2) in ``dtype``, y int64 of shape (n,).
    """
    rng = np.random.default_rng(rng)
    y = np.arange(n) % 2
    r = np.sqrt(rng.uniform(0.0025, 1.0, n))
    t = 2 * np.pi * turns * r + np.pi * y
    x = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    x += noise * rng.standard_normal(x.shape)
    order = rng.permutation(n)
    return x[order].astype(dtype), y[order]


# ---- activations -------------------------------------------------------------------
def _canonical(name):
    """The table name of an activation or alias ('silu' -> 'swish')."""
    return _table.ALIASES.get(name, name)


def available_activations():
    """Every activation of the table the demo can train with (no required parameter but
    PReLU's learnable slope)."""
    return [a.name for a in _table.ACTIVATIONS
            if a.name == "prelu" or all(p.default is not None for p in a.params)]


class Activation:
    """One activation as the network uses it: forward into a buffer, fused backward, f'.

    ``kind`` is 'plain' (the function with its default parameters), 'prelu' (a
    learnable slope per unit, shape (1, width)) or 'rrelu' (random slopes while
    training, the mean slope in evaluation).  ``seconds`` accumulates the time
    spent inside fastact calls.
    """

    def __init__(self, name):
        canon = _canonical(name)
        rows = {a.name: a for a in _table.ACTIVATIONS}
        if canon not in rows:
            raise ValueError(f"unknown activation {name!r}; choose from "
                             f"{', '.join(available_activations())} (or an alias: silu, hswish)")
        if canon not in available_activations():
            raise ValueError(f"{name!r} has required parameters; the demo trains only activations "
                             f"with defaults (and prelu)")
        self.name = name
        self.kind = {"prelu": "prelu", "rrelu": "rrelu"}.get(canon, "plain")
        self.f = getattr(fa, canon)
        self.backward = getattr(fa, canon + "_backward")
        self.grad = getattr(fa, canon + "_grad")
        self.seconds = 0.0

    def __repr__(self):
        return f"Activation({self.name!r})"

    def forward(self, z, out, a=None, train=False, rng=None):
        """h = f(z) into ``out``; returns the slopes the backward pass needs (PReLU: ``a``,
        RReLU in training: the random slopes drawn from ``rng``), else None."""
        t0 = time.perf_counter()
        if self.kind == "prelu":
            fa.prelu(z, a, out=out)
            slopes = a
        elif self.kind == "rrelu" and train:
            h, slopes = fa.rrelu_train(z, rng=rng)  # allocates: rrelu_train has no out=
            np.copyto(out, h)
        else:
            self.f(z, out=out)
            slopes = None
        self.seconds += time.perf_counter() - t0
        return slopes

    def backward_into(self, dh, z, out, slopes=None):
        """dz = dh * f'(z) into ``out`` (fused, one pass)."""
        t0 = time.perf_counter()
        if slopes is not None:           # PReLU, or RReLU with its training slopes
            fa.prelu_backward(dh, z, slopes, out=out)
        else:
            self.backward(dh, z, out=out)
        self.seconds += time.perf_counter() - t0
        return out

    def slope_grad(self, dh, z, a):
        """PReLU: dL/da reduced to a's shape (1, width)."""
        t0 = time.perf_counter()
        g = fa.prelu_weight_grad(dh, z, a)
        self.seconds += time.perf_counter() - t0
        return g

    def derivative(self, z, a=None):
        """f'(z) in evaluation mode (RReLU: the mean slope)."""
        return fa.prelu_grad(z, a) if self.kind == "prelu" else self.grad(z)


# ---- the network -------------------------------------------------------------------
INITS = {
    # std of W[fan_in, fan_out] = gain / sqrt(fan_in)
    "lecun": 1.0,           # LeCun normal: SELU's self-normalising init, Glorot's for square layers
    "he": math.sqrt(2.0),   # Kaiming normal: ReLU's
}


class MLP:
    """``n_in -> depth x width (activation) -> n_out -> log_softmax``.

    Parameters live in ``self.params`` (W1, b1, ..., W_{depth+1}, b_{depth+1},
    then PReLU's slopes a1 .. a_depth, each of shape (1, width)); ``loss_and_grads``
    returns the gradients in the same order.  The weights are drawn in float64
    from ``rng`` and cast, so every activation starts from the same numbers.
    Buffers for the pre-activations ``z`` and activations ``h`` are allocated once
    per batch size and reused (every fastact call writes with ``out=``).
    """

    def __init__(self, activation, n_in=2, n_out=2, depth=6, width=32, rng=0, dtype=np.float32,
                 init="lecun", bias_init=0.0, prelu_init=0.25):
        self.act = activation if isinstance(activation, Activation) else Activation(activation)
        rng = np.random.default_rng(rng)
        self.dtype = np.dtype(dtype)
        self.depth, self.width = depth, width
        sizes = [n_in] + [width] * depth + [n_out]
        gain = INITS[init]
        self.W, self.b = [], []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            self.W.append((gain / math.sqrt(fan_in) * rng.standard_normal((fan_in, fan_out))).astype(dtype))
            self.b.append(np.full(fan_out, bias_init if len(self.b) < depth else 0.0, dtype))
        self.a = ([np.full((1, width), prelu_init, dtype) for _ in range(depth)]
                  if self.act.kind == "prelu" else [])
        self._buffers = {}

    @property
    def params(self):
        return [p for wb in zip(self.W, self.b) for p in wb] + self.a

    def param_names(self):
        names = [f"{k}{i + 1}" for i in range(self.depth + 1) for k in "Wb"]
        return names + [f"a{i + 1}" for i in range(len(self.a))]

    def _bufs(self, n):
        if n not in self._buffers:
            L, dt = self.depth, self.dtype
            z = [np.empty((n, self.width), dt) for _ in range(L)]
            self._buffers[n] = dict(
                z=z, h=[np.empty((n, self.width), dt) for _ in range(L)],
                dz=[np.empty((n, self.width), dt) for _ in range(L)],
                dh=np.empty((n, self.width), dt),
                logits=np.empty((n, self.W[-1].shape[1]), dt),
                logp=np.empty((n, self.W[-1].shape[1]), dt),
                dlogits=np.empty((n, self.W[-1].shape[1]), dt),
            )
        return self._buffers[n]

    def forward(self, x, train=False, rng=None):
        """Log-probabilities (n, n_out); keeps z, h and the slopes for ``backward``."""
        B = self._bufs(x.shape[0])
        self._x, self._slopes = x, []
        h = x
        for i in range(self.depth):
            z = np.matmul(h, self.W[i], out=B["z"][i])
            z += self.b[i]
            self._slopes.append(self.act.forward(z, B["h"][i], self.a[i] if self.a else None,
                                                 train=train, rng=rng))
            h = B["h"][i]
        np.matmul(h, self.W[-1], out=B["logits"])
        B["logits"] += self.b[-1]
        t0 = time.perf_counter()
        fa.log_softmax(B["logits"], axis=-1, out=B["logp"])
        self.act.seconds += time.perf_counter() - t0
        return B["logp"]

    def backward(self, dlogp):
        """Gradients of the parameters from dL/d(log p); returns them in ``params`` order
        and, as ``self.deltas``, dL/dz of every hidden layer."""
        B = self._bufs(dlogp.shape[0])
        t0 = time.perf_counter()
        dz = fa.log_softmax_backward(B["logp"], dlogp, axis=-1, out=B["dlogits"])
        self.act.seconds += time.perf_counter() - t0
        gW, gb, ga = [None] * (self.depth + 1), [None] * (self.depth + 1), [None] * len(self.a)
        for i in range(self.depth, -1, -1):
            h_in = self._x if i == 0 else B["h"][i - 1]
            gW[i] = h_in.T @ dz
            gb[i] = dz.sum(axis=0)
            if i == 0:
                break
            dh = np.matmul(dz, self.W[i].T, out=B["dh"])
            z = B["z"][i - 1]
            if self.a:
                ga[i - 1] = self.act.slope_grad(dh, z, self.a[i - 1])
            dz = self.act.backward_into(dh, z, B["dz"][i - 1], self._slopes[i - 1])
        self.deltas = B["dz"]
        return [g for wb in zip(gW, gb) for g in wb] + ga

    def loss_and_grads(self, x, y, train=True, rng=None):
        """Mean cross-entropy of the batch and the gradient of every parameter."""
        logp = self.forward(x, train=train, rng=rng)
        n = x.shape[0]
        loss = -float(np.take_along_axis(logp, y[:, None], axis=1).sum(dtype=np.float64)) / n
        dlogp = np.zeros_like(logp)
        np.put_along_axis(dlogp, y[:, None], -1.0 / n, axis=1)
        return loss, self.backward(dlogp)

    # Evaluation runs in chunks of CHUNK rows: a (256 x 32) @ (32 x 32) product stays under
    # OpenBLAS's threading threshold, so the whole demo is single-threaded like fastact (a
    # threaded BLAS on 2 busy cores made the timings swing 20-fold).
    CHUNK = 256

    def evaluate(self, x, y):
        """(mean cross-entropy, accuracy) in evaluation mode."""
        total, correct = 0.0, 0
        for s in range(0, len(y), self.CHUNK):
            logp = self.forward(x[s:s + self.CHUNK])
            yc = y[s:s + self.CHUNK, None]
            total -= float(np.take_along_axis(logp, yc, axis=1).sum(dtype=np.float64))
            correct += int((logp.argmax(axis=1) == yc[:, 0]).sum())
        return total / len(y), correct / len(y)

    def dead_units(self, x):
        """Per hidden layer, the boolean mask of units whose f'(z) is exactly 0 on every row of x
        (evaluation mode)."""
        dead = [np.ones(self.width, bool) for _ in range(self.depth)]
        for s in range(0, x.shape[0], self.CHUNK):
            xc = x[s:s + self.CHUNK]
            self.forward(xc)
            B = self._bufs(xc.shape[0])
            for i in range(self.depth):
                g = self.act.derivative(B["z"][i], self.a[i] if self.a else None)
                dead[i] &= np.all(g == 0, axis=0)
        return dead


# ---- training ----------------------------------------------------------------------
@dataclass
class Config:
    activations: tuple = DEFAULT_ACTIVATIONS
    epochs: int = 300
    seed: int = 0
    depth: int = 6
    width: int = 32
    lr: float = 0.02
    schedule: str = "cosine"     # or "constant"
    momentum: float = 0.9
    batch: int = 32
    n_train: int = 2000
    n_test: int = 2000
    turns: float = 3.0
    noise: float = 0.04
    seeds: int = 1               # train with seed, seed + 1, ... (a table of the spread)
    init: str = "lecun"
    bias_init: float = 0.0
    prelu_init: float = 0.25
    dtype: str = "float32"

    @classmethod
    def quick(cls, **kw):
        return cls(**{**dict(epochs=60, n_train=1000, n_test=1000, turns=2.0), **kw})


def _seeds(seed):
    """Independent streams for the data, the weights, the batch order and RReLU's slopes."""
    return np.random.SeedSequence(seed).spawn(4)


def train_one(name, config, data=None, progress=None):
    """Train the network with one activation; returns a JSON-able dict of results."""
    c = config
    _, s_init, s_order, s_noise = _seeds(c.seed)
    if data is None:
        data = make_data(c)
    (xtr, ytr), (xte, yte) = data
    net = MLP(name, depth=c.depth, width=c.width, rng=s_init, dtype=c.dtype, init=c.init,
              bias_init=c.bias_init, prelu_init=c.prelu_init)
    order_rng, noise_rng = np.random.default_rng(s_order), np.random.default_rng(s_noise)

    # at initialisation, on the whole training set: gradient norm per layer, dead units
    _, grads = net.loss_and_grads(xtr, ytr, train=True, rng=np.random.default_rng(s_noise))
    # root-mean-square of each layer's dL/dW (so that a 2 x 32 and a 32 x 32 layer compare), and
    # of dL/dz of each hidden layer
    grad_w = [float(np.sqrt(np.mean(np.square(g, dtype=np.float64)))) for g in grads[0:2 * (c.depth + 1):2]]
    grad_z = [float(np.sqrt(np.mean(np.square(d, dtype=np.float64)))) for d in net.deltas]
    dead0 = net.dead_units(xtr)
    loss0, acc0 = net.evaluate(xtr, ytr)

    params = net.params
    velocity = [np.zeros_like(p) for p in params]
    curve = dict(train_loss=[loss0], test_loss=[net.evaluate(xte, yte)[0]], test_acc=[])
    curve["test_acc"].append(net.evaluate(xte, yte)[1])
    net.act.seconds = 0.0
    n = len(ytr)
    diverged = False
    steps_per_epoch = n // c.batch
    total_steps, step = c.epochs * steps_per_epoch, 0
    t0 = time.perf_counter()
    for epoch in range(c.epochs):
        perm = order_rng.permutation(n)
        for start in range(0, steps_per_epoch * c.batch, c.batch):   # whole batches only
            idx = perm[start:start + c.batch]
            _, grads = net.loss_and_grads(xtr[idx], ytr[idx], train=True, rng=noise_rng)
            lr = c.lr if c.schedule == "constant" else \
                0.5 * c.lr * (1 + math.cos(math.pi * step / total_steps))
            step += 1
            for p, v, g in zip(params, velocity, grads):
                v *= c.momentum
                v -= lr * g
                p += v
        tr_loss, _ = net.evaluate(xtr, ytr)
        te_loss, te_acc = net.evaluate(xte, yte)
        curve["train_loss"].append(tr_loss)
        curve["test_loss"].append(te_loss)
        curve["test_acc"].append(te_acc)
        if progress:
            progress(epoch + 1, tr_loss)
        if not math.isfinite(tr_loss):
            diverged = True
            break
    seconds = time.perf_counter() - t0
    fa_seconds = net.act.seconds
    dead = net.dead_units(xtr)
    tr_loss, tr_acc = net.evaluate(xtr, ytr)
    te_loss, te_acc = net.evaluate(xte, yte)
    units = c.depth * c.width
    return dict(
        activation=name, train_acc=tr_acc, test_acc=te_acc, train_loss=tr_loss, test_loss=te_loss,
        seconds=seconds, fastact_seconds=fa_seconds, epochs_run=len(curve["train_loss"]) - 1,
        diverged=diverged, init_loss=loss0, init_train_acc=acc0,
        grad_rms_W=grad_w, grad_rms_z=grad_z,
        grad_ratio=grad_w[0] / grad_w[-1] if grad_w[-1] else float("nan"),
        delta_ratio=grad_z[0] / grad_z[-1] if grad_z[-1] else float("nan"),
        dead_init=float(sum(d.sum() for d in dead0)) / units,
        dead_final=float(sum(d.sum() for d in dead)) / units,
        died=float(sum((d & ~d0).sum() for d, d0 in zip(dead, dead0))) / units,
        dead_final_per_layer=[int(d.sum()) for d in dead],
        dead_init_per_layer=[int(d.sum()) for d in dead0],
        prelu_slopes=[float(a.mean()) for a in net.a] or None,
        curves=curve,
    )


def make_data(config):
    s_data = _seeds(config.seed)[0]
    rng = np.random.default_rng(s_data)
    train = make_spirals(config.n_train, rng, config.turns, config.noise, config.dtype)
    test = make_spirals(config.n_test, rng, config.turns, config.noise, config.dtype)
    return train, test


def machine():
    """CPU model and core count (from /proc/cpuinfo), Python, numpy, fastact and its SIMD level."""
    model, cores = platform.processor() or platform.machine(), os.cpu_count()
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
        names = [line.split(":", 1)[1].strip() for line in info.splitlines()
                 if line.startswith("model name")]
        if names:
            model, cores = names[0], len(names)
    except OSError:
        pass
    return dict(cpu=model, cores=cores, python=platform.python_version(), numpy=np.__version__,
                fastact=fa.__version__, isa=fa.get_isa())


def run_all(config, log=None):
    """Train every activation of ``config`` (for each of its seeds); returns the report
    (JSON-able; ``results`` holds one dict per activation and seed)."""
    for name in config.activations:
        Activation(name)  # fail early on a bad name
    results = []
    load = _loadavg()
    t0 = time.perf_counter()
    runs = [(seed, name) for seed in range(config.seed, config.seed + max(config.seeds, 1))
            for name in config.activations]
    total = len(runs) * config.epochs
    data = None
    for k, (seed, name) in enumerate(runs):
        c = replace(config, seed=seed)
        if k % len(config.activations) == 0:
            data = make_data(c)
        label = name if config.seeds <= 1 else f"{name} (seed {seed})"

        def progress(epoch, loss, k=k, label=label):
            if log:
                log(k, label, epoch, loss, (k * config.epochs + epoch) / total)
        with np.errstate(under="ignore"):
            results.append(dict(train_one(name, c, data, progress), seed=seed))
        if log:
            log(k, label, None, results[-1], (k + 1) * config.epochs / total)
    return dict(config=asdict(config), machine=machine(), seconds=time.perf_counter() - t0,
                date=time.strftime("%Y-%m-%d %H:%M %Z"), load_before=load, load_after=_loadavg(),
                results=results)


def _loadavg():
    """The 1-minute load average (the timings are only comparable on an idle machine)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


class ProgressBar:
    """A one-line progress bar on stderr (a line per activation when stderr is not a terminal)."""

    def __init__(self, n_runs, stream=sys.stderr, width=30):
        self.n, self.stream, self.width = n_runs, stream, width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.t0 = time.perf_counter()
        self._last = 0.0

    def __call__(self, k, name, epoch, loss_or_result, fraction):
        now = time.perf_counter()
        filled = int(round(self.width * fraction))
        bar = "#" * filled + "." * (self.width - filled)
        head = f"[{bar}] {100 * fraction:5.1f}% {now - self.t0:6.1f}s  {k + 1}/{self.n} {name}"
        if epoch is None:
            r = loss_or_result
            text = (f"{head}: train acc {r['train_acc']:.3f}, test acc {r['test_acc']:.3f}, "
                    f"loss {r['train_loss']:.4f} in {r['seconds']:.1f}s")
            if self.tty:
                self.stream.write("\r\033[K" + text + "\n")
            else:
                self.stream.write(text + "\n")
            self.stream.flush()
        elif self.tty and now - self._last > 0.1:
            self._last = now
            self.stream.write(f"\r\033[K{head} epoch {epoch} loss {loss_or_result:.4f}")
            self.stream.flush()


# ---- output ------------------------------------------------------------------------
def _pct(x):
    return f"{100 * x:.1f}%"


def markdown_table(report):
    c = report["config"]
    L = c["depth"] + 1
    lines = [
        "| activation | train acc | test acc | final loss | time (s) | fastact share "
        f"| dL/dW RMS W1/W{L} at init | dL/dz RMS z1/z{L - 1} at init | dead units at init "
        "| dead after training | died in training |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in first_seed(report):
        loss = f"diverged (epoch {r['epochs_run']})" if r["diverged"] else f"{r['train_loss']:.4f}"
        lines.append(
            f"| {r['activation']} | {_pct(r['train_acc'])} | {_pct(r['test_acc'])} | {loss} "
            f"| {r['seconds']:.1f} | {_pct(r['fastact_seconds'] / r['seconds'])} "
            f"| {r['grad_ratio']:.1e} | {r['delta_ratio']:.1e} | {_pct(r['dead_init'])} "
            f"| {_pct(r['dead_final'])} "
            f"| {_pct(r['died'])} |")
    return "\n".join(lines)


def first_seed(report):
    """The results of the first seed (the main table and the plots)."""
    seed = report["config"]["seed"]
    return [r for r in report["results"] if r.get("seed", seed) == seed]


def seeds_table(report):
    """Test accuracy and units that died, for every seed: how much of the main table is luck."""
    c = report["config"]
    seeds = list(range(c["seed"], c["seed"] + c["seeds"]))
    by = {(r["activation"], r["seed"]): r for r in report["results"]}
    lines = [f"| activation | test acc, seeds {seeds[0]}..{seeds[-1]} | median | final loss, median "
             "| died in training (units per seed) |", "|---|---|---:|---:|---|"]
    for name in c["activations"]:
        rs = [by[name, s] for s in seeds]
        acc = [100 * r["test_acc"] for r in rs]
        died = [round(r["died"] * c["depth"] * c["width"]) for r in rs]
        lines.append(f"| {name} | {' '.join(f'{a:.1f}' for a in acc)} | {np.median(acc):.1f}% "
                     f"| {np.median([r['train_loss'] for r in rs]):.4f} | {' '.join(map(str, died))} |")
    return "\n".join(lines)


def describe(report):
    """What was trained, in one paragraph."""
    c = report["config"]
    return (f"Two spirals ({c['turns']} turns, noise {c['noise']}), {c['n_train']} training and "
            f"{c['n_test']} test points; MLP 2 -> {c['depth']} x {c['width']} -> 2, "
            f"{c['init']} init (std {INITS[c['init']]:.3g}/sqrt(fan_in)), bias {c['bias_init']}, "
            f"{c['dtype']}; SGD lr {c['lr']} ({_schedule(c)}) momentum {c['momentum']}, "
            f"batch {c['batch']}, "
            f"{c['epochs']} epochs; seed {c['seed']}"
            + (f" (and {c['seeds'] - 1} more)" if c.get("seeds", 1) > 1 else "")
            + ", the same data, initial weights and batch order for every activation.")


COLUMNS = """\
- *train acc / test acc / final loss*: after the last epoch, in evaluation mode (RReLU with its mean
  slope); the loss is the mean cross-entropy on the training set.
- *time*: wall time of the training (every epoch, with one evaluation of the training and test
  sets per epoch); *fastact share*: the part of it spent inside fastact calls (forward, fused
  backward, PReLU's slope gradient, log_softmax and its backward); the rest is matmul and Python.
- *dL/dW RMS W1/W{L} at init*: the root-mean-square of the gradient of the first layer's weights
  over that of the output layer's, on the whole training set before any step; *dL/dz RMS
  z1/z{Lh}*: the same for the gradient reaching the pre-activations of the first and the last
  hidden layer, the backpropagated signal itself (dL/dW of a layer is its input times this).
  Far below 1: the first layers barely learn, the vanishing gradient; above 1, it grows on its
  way down.  The per-layer vectors are in the JSON and the plot.
- *dead units*: hidden units (of {units}) whose f'(z) is exactly 0 on every training point (fastact
  `NAME_grad`), before and after training; *died in training*: alive at initialisation and dead
  after it, the dying ReLU.  A dead unit gets no gradient from any sample; it can only come back
  if the layers below it move.  Only functions with a flat piece can have dead units (relu, relu6,
  hardswish), or a smooth function whose f' underflows to 0 in the dtype far in its tail.
"""


def markdown(report, command=None):
    m = report["machine"]
    c = report["config"]
    head = ["# fastact demo: activations compared on one network", ""]
    if command:
        head += ["```", command, "```", ""]
    head += [f"{report['date']}; {m['cpu']} ({m['cores']} cores), Python {m['python']}, numpy "
             f"{m['numpy']}, fastact {m['fastact']} ({m['isa']}); total {report['seconds']:.0f} s "
             f"(1-minute load average {report.get('load_before')} before, {report.get('load_after')} "
             "after: the times are only comparable with each other on an idle machine).",
             "", describe(report), "", markdown_table(report), "",
             COLUMNS.format(L=c["depth"] + 1, Lh=c["depth"], units=c["depth"] * c["width"])]
    if c.get("seeds", 1) > 1:
        head += ["", "## The spread over seeds", "",
                 "The same training with other seeds (other data, initial weights and batch "
                 "order; the seed's run above is the first column):", "", seeds_table(report)]
    return "\n".join(head) + "\n"


def _style(i):
    """Line i of up to 30: ten colours, then the same colours dashed, then dotted."""
    import matplotlib.pyplot as plt

    return dict(color=plt.get_cmap("tab10")(i % 10), linestyle=("-", "--", ":")[(i // 10) % 3],
                linewidth=1.3)


def plot(report, directory):
    """Write demo-loss.png (training loss and test accuracy per epoch) and demo-grad-norms.png
    (gradient per layer at initialisation) into ``directory``; returns the paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(directory, exist_ok=True)
    results = first_seed(report)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5.2))
    for i, r in enumerate(results):
        ax1.plot(r["curves"]["train_loss"], label=r["activation"], **_style(i))
        ax2.plot(r["curves"]["test_acc"], label=r["activation"], **_style(i))
    ax1.set_yscale("log")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("training loss (cross-entropy, whole training set)")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("test accuracy")
    ax2.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.suptitle(describe_short(report), fontsize=10)
    fig.tight_layout()
    loss_path = os.path.join(directory, "demo-loss.png")
    fig.savefig(loss_path, dpi=100)
    plt.close(fig)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5.2))
    L = report["config"]["depth"] + 1
    for i, r in enumerate(results):
        kw = dict(marker="o", markersize=3, label=r["activation"], **_style(i))
        ax1.plot(range(1, L + 1), r["grad_rms_W"], **kw)
        ax2.plot(range(1, L), r["grad_rms_z"], **kw)
    for ax in (ax1, ax2):
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.grid(True, which="major", alpha=0.3)
    ax1.set_xticks(range(1, L + 1))
    ax1.set_xticklabels([f"W{i}" for i in range(1, L)] + [f"W{L}\n(output)"])
    ax1.set_ylabel("RMS of dL/dW at initialisation")
    ax2.set_xticks(range(1, L))
    ax2.set_xticklabels([f"z{i}" for i in range(1, L)])
    ax2.set_ylabel("RMS of dL/dz (hidden pre-activations) at initialisation")
    ax2.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.suptitle("Gradient per layer before training (the backward pass runs right to left): "
                 + describe_short(report), fontsize=10)
    fig.tight_layout()
    grad_path = os.path.join(directory, "demo-grad-norms.png")
    fig.savefig(grad_path, dpi=100)
    plt.close(fig)
    return loss_path, grad_path


def describe_short(report):
    c = report["config"]
    return (f"two spirals, MLP {c['depth']} x {c['width']}, {c['init']} init, "
            f"SGD lr {c['lr']} ({c.get('schedule', 'constant')}) m {c['momentum']}, seed {c['seed']}")


def _schedule(c):
    return ("cosine decay to 0 over the steps" if c.get("schedule") == "cosine" else "constant")


# ---- command line ------------------------------------------------------------------
def add_arguments(p):
    d = Config()
    p.add_argument("--quick", action="store_true",
                   help=f"{Config.quick().epochs} epochs on {Config.quick().n_train} points of a "
                   f"{Config.quick().turns:g}-turn spiral (seconds)")
    p.add_argument("--epochs", type=int, help=f"default {d.epochs}")
    p.add_argument("--seed", type=int, default=d.seed, help=f"default {d.seed}")
    p.add_argument("--seeds", type=int, default=d.seeds, metavar="N",
                   help="train with seeds SEED .. SEED+N-1 and add a table of the spread "
                   "(the main table and the plots show SEED)")
    p.add_argument("--activations", nargs="+", metavar="NAME",
                   help="space or comma separated (default: " + " ".join(DEFAULT_ACTIVATIONS)
                   + "); any of: " + " ".join(available_activations()) + ", silu, hswish")
    p.add_argument("--depth", type=int, default=d.depth, help=f"hidden layers (default {d.depth})")
    p.add_argument("--width", type=int, default=d.width, help=f"units per hidden layer (default {d.width})")
    p.add_argument("--lr", type=float, default=d.lr, help=f"learning rate (default {d.lr})")
    p.add_argument("--schedule", choices=("cosine", "constant"), default=d.schedule,
                   help="learning rate: cosine decay from --lr to 0 over the training, or constant "
                   f"(default {d.schedule})")
    p.add_argument("--momentum", type=float, default=d.momentum, help=f"default {d.momentum}")
    p.add_argument("--batch", type=int, default=d.batch, help=f"batch size (default {d.batch})")
    p.add_argument("--init", choices=sorted(INITS), default=d.init,
                   help="weight init: lecun (std 1/sqrt(fan_in)) or he (sqrt(2)/sqrt(fan_in))")
    p.add_argument("--bias-init", type=float, default=d.bias_init, help="hidden biases' initial value")
    p.add_argument("--dtype", choices=("float32", "float64"), default=d.dtype)
    p.add_argument("--json", metavar="FILE", help="write every result, curve and per-layer vector as JSON")
    p.add_argument("--plot", metavar="DIR",
                   help="write DIR/demo-loss.png and DIR/demo-grad-norms.png (needs matplotlib)")
    p.add_argument("--markdown", metavar="FILE",
                   help="write the table with the command, date and machine to FILE")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar on stderr")


def config_from_args(args):
    acts = tuple(s for v in (args.activations or ()) for s in v.split(",") if s) or DEFAULT_ACTIVATIONS
    kw = dict(activations=acts, seed=args.seed, seeds=args.seeds, depth=args.depth, width=args.width,
              lr=args.lr, schedule=args.schedule, momentum=args.momentum, batch=args.batch,
              init=args.init, bias_init=args.bias_init, dtype=args.dtype)
    if args.epochs is not None:
        kw["epochs"] = args.epochs
    return Config.quick(**kw) if args.quick else Config(**kw)


def command_line(args):
    """The command that reproduces ``args``: ``python -m fastact demo`` and the options given."""
    words = ["python -m fastact demo"]
    d = build_parser_defaults()
    for action, value in sorted(vars(args).items()):
        if action in ("func", "command") or value == d.get(action, None):
            continue
        flag = "--" + action.replace("_", "-")
        if value is True:
            words.append(flag)
        elif isinstance(value, (list, tuple)):
            words.append(flag + " " + " ".join(map(str, value)))
        else:
            words.append(f"{flag} {value}")
    return " ".join(words)


def build_parser_defaults():
    import argparse

    p = argparse.ArgumentParser()
    add_arguments(p)
    return vars(p.parse_args([]))


def run(args):
    """Train, print the markdown table, write the JSON / plots / markdown asked for."""
    try:
        config = config_from_args(args)
        for name in config.activations:
            Activation(name)
        if min(config.epochs, config.depth, config.width, config.batch, config.seeds) < 1:
            raise ValueError("--epochs, --depth, --width, --batch and --seeds must be positive")
        if config.batch > (Config.quick() if args.quick else Config()).n_train:
            raise ValueError("--batch is larger than the training set")
    except ValueError as e:
        print(f"fastact demo: error: {e}", file=sys.stderr)
        return 2
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("fastact demo: error: --plot needs matplotlib (pip install 'fastact[plot]')",
                  file=sys.stderr)
            return 2
    log = None if args.quiet else ProgressBar(len(config.activations) * config.seeds)
    report = run_all(config, log)
    report["command"] = command_line(args)
    print(describe(report))
    print()
    print(markdown_table(report))
    if config.seeds > 1:
        print()
        print(seeds_table(report))
    print(f"\n{report['machine']['cpu']}, total {report['seconds']:.1f} s", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(report, report["command"]))
    if args.plot:
        for path in plot(report, args.plot):
            print(f"wrote {path}", file=sys.stderr)
    return 0


def main(argv=None):
    """Run the demo without fastact.__main__: ``python -m fastact.demo ...``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m fastact demo", description=__doc__.split("\n\n")[1])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
