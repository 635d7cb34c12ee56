"""The training demo (fastact.demo): it learns, it is deterministic, and the gradients of the
whole network -- every W, b and PReLU slope, through every fastact backward ufunc and
log_softmax_backward -- agree with central finite differences in float64.

That last check is the end-to-end proof that the fused NAME_backward(dy, x) = dy * f'(x)
ufuncs, prelu_backward / prelu_weight_grad, rrelu_train and the softmax family's backward
are right: a wrong derivative anywhere would show up as a wrong gradient of some parameter.
"""
import argparse
import json

import numpy as np
import pytest

import fastact as fa
from fastact import _table, demo


def tiny_config(**kw):
    base = dict(epochs=8, depth=3, width=16, n_train=256, n_test=256, batch=32, lr=0.02,
                turns=1.0, seed=3)
    return demo.Config(**{**base, **kw})


# ---- gradient check ------------------------------------------------------------------
GRAD_ACTIVATIONS = sorted(set(demo.DEFAULT_ACTIVATIONS) | {"gelu_tanh", "celu", "leaky_relu6",
                                                          "logsigmoid", "tanhshrink", "hardtanh"})


def _net_and_batch(name, train):
    x, y = demo.make_spirals(12, np.random.default_rng(11), turns=1.0, dtype=np.float64)
    net = demo.MLP(name, depth=3, width=5, rng=5, dtype=np.float64, bias_init=0.1, prelu_init=0.2)
    # RReLU draws its slopes in training mode: the same stream for every evaluation
    rng = (lambda: np.random.default_rng(7)) if train else (lambda: None)

    def loss():
        return net.loss_and_grads(x, y, train=train, rng=rng())[0]

    return net, x, y, rng, loss


@pytest.mark.parametrize("name", GRAD_ACTIVATIONS)
def test_gradients_match_finite_differences(name):
    train = name == "rrelu"
    net, x, y, rng, loss = _net_and_batch(name, train)
    L0, grads = net.loss_and_grads(x, y, train=train, rng=rng())

    # no pre-activation sits on (or within the step of) a kink, where the
    # finite difference would straddle two branches
    kinks = {a.name: a.kinks for a in _table.ACTIVATIONS}[demo._canonical(name)]
    net.forward(x, train=train, rng=rng())
    z = np.concatenate([b.ravel() for b in net._bufs(len(y))["z"]])
    for k in kinks:
        assert np.abs(z - k).min() > 1e-4, (name, k)

    assert len(grads) == len(net.params) == len(net.param_names())
    assert (name == "prelu") == any(n.startswith("a") for n in net.param_names())
    h = 1e-6
    for pname, p, g in zip(net.param_names(), net.params, grads):
        assert g.shape == p.shape and g.dtype == np.float64, pname
        num = np.empty_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            lp = loss()
            p[i] = old - h
            lm = loss()
            p[i] = old
            num[i] = (lp - lm) / (2 * h)
        scale = max(np.abs(num).max(), 1e-3)
        np.testing.assert_allclose(g, num, rtol=0, atol=2e-7 * scale,
                                   err_msg=f"{name}: dL/d{pname}")
    assert loss() == L0   # the parameters were restored exactly


def test_prelu_slope_gradient_is_not_trivial():
    """The PReLU check above means something: the slopes do get a gradient."""
    net, x, y, rng, loss = _net_and_batch("prelu", False)
    _, grads = net.loss_and_grads(x, y, train=False)
    ga = grads[-net.depth:]
    assert all(g.shape == (1, net.width) for g in ga)
    assert sum(np.count_nonzero(g) for g in ga) > net.depth * net.width // 2


def test_log_softmax_backward_is_softmax_minus_onehot():
    """The output layer: d(mean cross-entropy)/d logits = (softmax - onehot) / n."""
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((9, 4))
    y = rng.integers(0, 4, 9)
    logp = fa.log_softmax(logits, axis=-1)
    dlogp = np.zeros_like(logp)
    dlogp[np.arange(9), y] = -1 / 9
    onehot = np.eye(4)[y]
    np.testing.assert_allclose(fa.log_softmax_backward(logp, dlogp, axis=-1),
                               (fa.softmax(logits, axis=-1) - onehot) / 9, rtol=1e-12, atol=1e-15)


# ---- training --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["relu", "tanh", "prelu", "rrelu"])
def test_training_reduces_the_loss(name):
    c = tiny_config()
    with np.errstate(under="ignore"):
        r = demo.train_one(name, c)
    curve = r["curves"]["train_loss"]
    assert len(curve) == c.epochs + 1 and r["epochs_run"] == c.epochs
    assert curve[-1] < 0.85 * curve[0], curve
    assert r["train_acc"] > 0.6
    assert len(r["grad_rms_W"]) == c.depth + 1 and len(r["grad_rms_z"]) == c.depth
    assert 0 <= r["died"] <= r["dead_final"] <= 1
    if name == "prelu":
        assert len(r["prelu_slopes"]) == c.depth
        assert r["prelu_slopes"] != [c.prelu_init] * c.depth   # the slopes were trained


def test_training_is_deterministic():
    c = tiny_config(epochs=3)
    with np.errstate(under="ignore"):
        a, b = demo.train_one("rrelu", c), demo.train_one("rrelu", c)
    for key in ("curves", "grad_rms_W", "dead_final_per_layer", "train_acc"):
        assert a[key] == b[key], key


def test_dead_units_are_the_units_with_zero_derivative():
    """A unit whose bias is hugely negative is dead for relu on every sample, alive for leaky_relu."""
    x, y = demo.make_spirals(64, 0, dtype=np.float64)
    for name, expect in (("relu", True), ("leaky_relu", False)):
        net = demo.MLP(name, depth=2, width=4, rng=1, dtype=np.float64)
        net.b[1][2] = -1e3
        dead = net.dead_units(x)
        assert bool(dead[1][2]) is expect


def test_data_is_seeded_and_balanced():
    x1, y1 = demo.make_spirals(100, 5)
    x2, y2 = demo.make_spirals(100, 5)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert x1.dtype == np.float32 and x1.shape == (100, 2) and y1.sum() == 50


def test_unknown_or_unsupported_activation():
    with pytest.raises(ValueError, match="unknown activation"):
        demo.Activation("no_such")
    with pytest.raises(ValueError, match="required parameters"):
        demo.Activation("threshold")
    assert demo.Activation("silu").f is fa.swish
    assert "prelu" in demo.available_activations()


# ---- the command ---------------------------------------------------------------------
def parse(*argv):
    p = argparse.ArgumentParser()
    demo.add_arguments(p)
    return p.parse_args(list(argv))


def test_command_writes_table_json_markdown_and_plots(tmp_path, capsys):
    argv = ["--quick", "--epochs", "2", "--depth", "2", "--width", "8", "--activations",
            "relu,prelu", "sigmoid", "--json", str(tmp_path / "r.json"),
            "--markdown", str(tmp_path / "demo.md"), "-q"]
    plotting = True
    try:
        import matplotlib  # noqa: F401
        argv += ["--plot", str(tmp_path)]
    except ImportError:
        plotting = False
    with np.errstate(all="ignore"):     # matplotlib's own arithmetic
        assert demo.run(parse(*argv)) == 0
    out = capsys.readouterr().out
    assert "| activation | train acc |" in out
    for name in ("relu", "prelu", "sigmoid"):
        assert f"| {name} |" in out
    report = json.loads((tmp_path / "r.json").read_text())
    assert [r["activation"] for r in report["results"]] == ["relu", "prelu", "sigmoid"]
    assert report["config"]["epochs"] == 2 and report["config"]["depth"] == 2
    assert report["command"].startswith("python -m fastact demo")
    assert "--quick" in report["command"] and "--epochs 2" in report["command"]
    md = (tmp_path / "demo.md").read_text()
    assert report["command"] in md and report["machine"]["cpu"] in md
    if plotting:
        for f in ("demo-loss.png", "demo-grad-norms.png"):
            assert (tmp_path / f).read_bytes()[:4] == b"\x89PNG"


def test_command_rejects_bad_names(capsys):
    assert demo.run(parse("--activations", "relu,nope", "-q")) == 2
    assert "nope" in capsys.readouterr().err


def test_seeds_give_a_spread_table():
    c = tiny_config(epochs=2, seeds=2, activations=("relu", "tanh"))
    report = demo.run_all(c)
    assert [(r["activation"], r["seed"]) for r in report["results"]] == [
        ("relu", 3), ("tanh", 3), ("relu", 4), ("tanh", 4)]
    assert [r["seed"] for r in demo.first_seed(report)] == [3, 3]
    table = demo.seeds_table(report)
    assert "| relu |" in table and "seeds 3..4" in table
    assert "## The spread over seeds" in demo.markdown(report)
