"""The one table of fastact's elementwise activations.

Each ``Activation`` row drives everything about a function: the C kernels
(setup.py writes src_c/generated/fa_gen.h from it), the ufuncs registered by
_ufuncs.pyx, their docstrings, the public defaults wrappers, the README table
and the tests (reference, ULP bound, kinks).  Adding an activation is one row
here, its scalar C definitions in src_c/activations.h and its reference in
fastact/reference.py.

This module is plain Python with no imports from fastact or numpy, so that
setup.py can load it before anything is built.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Param:
    name: str
    default: float | None = None  # None: the operand is required
    doc: str = ""


@dataclass(frozen=True)
class ParamGrad:
    """A derivative with respect to a parameter (PReLU's slope)."""

    param: str
    c: str
    formula: str


@dataclass(frozen=True)
class Activation:
    name: str
    formula: str                      # f(x), in plain text
    derivative: str                   # f'(x)
    range: str                        # the image of f
    params: tuple = ()
    exact: bool = False               # piecewise-linear: computed in the dtype, 0 ULP
    # float32 kernels of (f, f') compute in "float" (the generic code in float), "float32" (an
    # algorithm of their own in float: src_c/activations_f32.h) or "double" (float32-grade)
    f32: tuple = ("double", "double")
    # float32 fused backward with f' in float and a double fallback per block (kernels.inc
    # FA_DEF_LOOP_BW); set where it was measured faster than the double backward
    bw32: bool = False
    ulp: tuple = (0, 0)               # bound on f, (float32, float64), vs. reference
    grad_ulp: tuple = (0, 0)          # bound on f'
    from_output: str | None = None    # f' written in terms of y = f(x)
    param_grads: tuple = ()
    aliases: tuple = ()
    kinks: tuple = ()                 # where f or f' changes branch (test points)
    notes: str = ""
    c: str | None = None              # scalar C function of f (default fa_<name>)
    grad_c: str | None = None         # of f' (default fa_<name>_grad)

    @property
    def c_fwd(self):
        return self.c or f"fa_{self.name}"

    @property
    def c_grad(self):
        return self.grad_c or f"fa_{self.name}_grad"


@dataclass(frozen=True)
class Ufunc:
    """One elementwise ufunc generated from an Activation."""

    name: str
    act: Activation
    role: str        # forward | grad | backward | grad_from_output | backward_from_output | grad_<p> | backward_<p>
    c: str           # scalar C function
    kind: str        # 'F': y = c(x, p..), 'B': y = dy * c(x, p..)
    inputs: tuple    # operand names
    params: tuple    # Param rows (the trailing operands)
    ulp: tuple       # (float32, float64) bound vs. the reference

    @property
    def nin(self):
        return len(self.inputs)

    @property
    def has_defaults(self):
        return bool(self.params) and all(p.default is not None for p in self.params)


P_ALPHA_LEAKY = Param("alpha", 0.01, "slope for x < 0")
P_ALPHA_ELU = Param("alpha", 1.0, "scale of the negative branch")

ACTIVATIONS = (
    Activation(
        "binary_step", "1 if x >= 0 else 0 (Heaviside step, H(0) = 1)",
        "0 (the step's impulse at 0 is not represented)", "{0, 1}",
        exact=True, kinks=(0.0,), c="fa_binary_step", grad_c="fa_zero_grad",
    ),
    Activation(
        "identity", "x", "1", "(-inf, inf)", exact=True, grad_c="fa_one_grad",
    ),
    Activation(
        "linear", "c * x", "c", "(-inf, inf) for c != 0",
        params=(Param("c", 1.0, "slope"),), exact=True,
    ),
    Activation(
        "sigmoid", "1 / (1 + exp(-x))", "s * (1 - s) with s = sigmoid(x)", "(0, 1)",
        ulp=(2, 2), grad_ulp=(2, 2), from_output="y * (1 - y)", kinks=(),
        notes="Both tails are computed without cancellation: sigmoid(-745) is the smallest "
        "subnormal, sigmoid'(40) = 4.2e-18 (not 0).",
        f32=('float', 'float'),
        bw32=True,
    ),
    Activation(
        "tanh", "(exp(x) - exp(-x)) / (exp(x) + exp(-x))", "1 - tanh(x)**2", "(-1, 1)",
        ulp=(1, 2), grad_ulp=(2, 2), from_output="1 - y**2 = (1 - y) * (1 + y)",
        notes="tanh'(x) is computed as 4 e / (1 + e)**2 with e = exp(-2|x|), accurate in the tails.",
        f32=('float', 'float'),
        bw32=True,
    ),
    Activation(
        "relu", "max(x, 0)", "1 if x > 0 else 0 (relu'(0) = 0)", "[0, inf)",
        exact=True, kinks=(0.0,),
    ),
    Activation(
        "leaky_relu", "x if x > 0 else alpha * x", "1 if x > 0 else alpha (alpha at 0)",
        "(-inf, inf) for alpha > 0", params=(P_ALPHA_LEAKY,), exact=True, kinks=(0.0,),
    ),
    Activation(
        "prelu", "x if x > 0 else a * x (a: learnable, per channel by broadcasting)",
        "1 if x > 0 else a (a at 0)", "(-inf, inf) for a > 0",
        params=(Param("a", None, "slope for x < 0, broadcast against x"),), exact=True,
        kinks=(0.0,), c="fa_leaky_relu", grad_c="fa_leaky_relu_grad",
        param_grads=(ParamGrad("a", "fa_prelu_grad_a", "0 if x > 0 else x"),),
        notes="Reduce prelu_backward_a over the axes `a` was broadcast along to get the slope "
        "gradient; fastact.prelu_weight_grad does this for you.",
    ),
    Activation(
        "rrelu", "x if x > 0 else x * (lower + upper) / 2 (inference)",
        "1 if x > 0 else (lower + upper) / 2", "(-inf, inf)",
        params=(Param("lower", 0.125, "lowest random slope"),
                Param("upper", 1.0 / 3.0, "highest random slope")),
        ulp=(0, 1), kinks=(0.0,),
        notes="The inference form (PyTorch's defaults lower=1/8, upper=1/3).  For training, "
        "fastact.rrelu_train(x, lower, upper, rng=...) draws per-element slopes "
        "a ~ U(lower, upper) for x < 0 and returns (y, a); backpropagate with "
        "prelu_backward(dy, x, a).  The other classic form, x / a with a ~ U(3, 8), is "
        "prelu(x, 1 / rng.uniform(3, 8, x.shape)).",
    ),
    Activation(
        "elu", "x if x > 0 else alpha * (exp(x) - 1)", "1 if x > 0 else alpha * exp(x) (alpha at 0)",
        "(-alpha, inf)", params=(P_ALPHA_ELU,), ulp=(1, 2), grad_ulp=(1, 2),
        from_output="1 if y > 0 else y + alpha", kinks=(0.0,),
        f32=('float', 'float'),
    ),
    Activation(
        "relu6", "min(max(x, 0), 6)", "1 if 0 < x < 6 else 0 (0 at both kinks)", "[0, 6]",
        exact=True, kinks=(0.0, 6.0),
    ),
    Activation(
        "leaky_relu6", "min(x, 6) if x > 0 else alpha * x",
        "alpha if x <= 0, 1 if 0 < x < 6, 0 if x >= 6", "(-inf, 6] for alpha > 0",
        params=(P_ALPHA_LEAKY,), exact=True, kinks=(0.0, 6.0),
        notes="ReLU6 whose negative side leaks, as proposed by the seed references.",
    ),
    Activation(
        "swish", "x * sigmoid(beta * x)",
        "s + beta * x * s * (1 - s) with s = sigmoid(beta * x)", "[-0.278/beta, inf) for beta > 0",
        params=(Param("beta", 1.0, "steepness; beta = 1 is SiLU"),), ulp=(2, 2), grad_ulp=(1, 2),
        aliases=("silu",), kinks=(-1.2784645427610738,),
        notes="The limits are returned at +-inf (swish(-inf) = 0, swish'(inf) = 1) where "
        "x * sigmoid(x) would give inf * 0 = NaN.  Next to the zero of "
        "swish' (beta*x = -1.27846) a Taylor series about that zero replaces the closed "
        "form, which cancels there; beta*x is formed exactly (hi + lo).",
        f32=('float', 'double'),
    ),
    Activation(
        "hardswish", "x * relu6(x + 3) / 6", "0 if x <= -3, (2x + 3) / 6 if -3 < x < 3, 1 if x >= 3",
        "[-0.375, inf)", ulp=(1, 1), grad_ulp=(1, 1), aliases=("hswish",), kinks=(-3.0, 3.0),
        f32=('float', 'float'),
    ),
    # ---- the modern set (PyTorch / JAX / Keras) ----
    Activation(
        "gelu", "x * Phi(x) = x * erfc(-x / sqrt(2)) / 2 (exact, erf form)",
        "Phi(x) + x * phi(x)", "[-0.170, inf)", ulp=(1, 1), grad_ulp=(1, 1),
        kinks=(-0.7517916243,),
        notes="Computed as x * exp(-x**2/2) * erfcx(|x|/sqrt(2)) / 2 with x**2 formed exactly: "
        "accurate in the far negative tail where 0.5*x*(1 + erf(x/sqrt(2))) cancels to 0 "
        "(below x = -5 in float32).  gelu(-inf) = 0, gelu'(+inf) = 1, gelu'(-inf) = 0.  Next to "
        "the zero of gelu' (x = -0.75179) a Taylor series about that zero is used.  float64 "
        "results carry exp(-x**2/2), erfcx and the products in two words and are rounded once.  "
        "float32 has an algorithm of its own (src_c/activations_f32.h): Q = Phi(-|x|) / exp(-x**2/2) "
        "as t S(t), t = 1 / (1 + K |x|), and gelu' with its zero divided out, every rounding error "
        "carried in a second word (no Taylor window).",
        f32=('float32', 'float32'),
        bw32=True,
    ),
    Activation(
        "gelu_tanh", "x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3))) / 2 (PyTorch approximate='tanh')",
        "s + x s (1 - s) * 2 sqrt(2/pi) (1 + 3 * 0.044715 x**2), s = sigmoid(2u)", "[-0.170, inf)",
        ulp=(2, 2), grad_ulp=(1, 1), kinks=(),
        notes="Evaluated as x * sigmoid(2u): no 1 + tanh(u) cancellation in the negative tail, no "
        "overflow of x**3 (gelu_tanh'(x) stays finite above 1e154).  u is formed to twice "
        "the working precision, so the far tail keeps its accuracy; next to the zero of the "
        "derivative a Taylor series is used.  The float64 derivative is (1 + e (1 + w)) / (1 + e)**2 "
        "(z = 2u >= 0) or (e (1 + w) + e**2) / (1 + e)**2 (z < 0), e = exp(-|z|), w = x z', in two "
        "words and rounded once.",
        f32=('float', 'double'),
    ),
    Activation(
        "selu", "scale * (x if x > 0 else alpha * (exp(x) - 1)), alpha = 1.6732632423543772, "
        "scale = 1.0507009873554805", "scale * (1 if x > 0 else alpha * exp(x)) (scale * alpha at 0)",
        "(-scale * alpha, inf)", ulp=(2, 2), grad_ulp=(2, 2), kinks=(0.0,),
        notes="alpha and scale to all digits, as in Klambauer et al. (2017).",
        f32=('float', 'float'),
    ),
    Activation(
        "celu", "x if x > 0 else alpha * (exp(x / alpha) - 1)", "1 if x > 0 else exp(x / alpha) (1 at 0)",
        "(-alpha, inf)", params=(P_ALPHA_ELU,), ulp=(1, 2), grad_ulp=(1, 2), kinks=(0.0,),
        f32=('float', 'float'),
    ),
    Activation(
        "softplus", "log(1 + exp(beta * x)) / beta; x where beta * x > threshold",
        "sigmoid(beta * x) (1 where beta * x > threshold)", "(0, inf)",
        params=(Param("beta", 1.0, "sharpness"),
                Param("threshold", float("inf"), "beta * x above which f = x (PyTorch uses 20; "
                      "default: never, the exact function)")),
        ulp=(2, 2), grad_ulp=(2, 2),
        notes="Exact by default.  PyTorch switches to f = x above beta * x > 20, which is up to "
        "5.8e5 ULP off in float64 for x in (20, 37): pass threshold=20 to reproduce its numbers.",
        f32=('float', 'float'),
    ),
    Activation(
        "mish", "x * tanh(softplus(x))", "tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)**2), sp = softplus(x)",
        "[-0.309, inf)", ulp=(1, 1), grad_ulp=(1, 1), kinks=(-1.1924,),
        notes="tanh(softplus(x)) is evaluated as a rational function of exp(-|x|): no overflow, "
        "no cancellation; mish(-inf) = 0, mish'(+inf) = 1.  Next to the zero of "
        "mish' (x = -1.1924) a Taylor series about that zero is used.  float64 results evaluate "
        "mish and mish' as rational functions of exp(-|x|) in two words, rounded once.",
    ),
    Activation(
        "softsign", "x / (1 + |x|)", "1 / (1 + |x|)**2", "(-1, 1)", ulp=(1, 2), grad_ulp=(2, 2),
        notes="softsign(+-inf) = +-1 (not inf/inf = NaN).",
        f32=('float', 'float'),
        bw32=True,
    ),
    Activation(
        "logsigmoid", "log(sigmoid(x)) = -softplus(-x)", "sigmoid(-x) = 1 - sigmoid(x)", "(-inf, 0)",
        ulp=(2, 2), grad_ulp=(2, 2),
        notes="Stable for large |x|: min(x, 0) - log1p(exp(-|x|)).",
        f32=('float', 'float'),
        bw32=True,
    ),
    Activation(
        "hardsigmoid", "relu6(x + 3) / 6 (PyTorch)", "1/6 if -3 < x < 3 else 0 (0 at +-3)", "[0, 1]",
        ulp=(0, 1), grad_ulp=(0, 0), kinks=(-3.0, 3.0),
        notes="The derivative is exactly 1/6 rounded to the dtype.  The Keras/ONNX form with slope "
        "0.2 is fastact.hard_sigmoid(x, alpha=0.2, beta=0.5).",
        f32=('float', 'float'),
    ),
    Activation(
        "hard_sigmoid", "clip(alpha * x + beta, 0, 1) (Keras, ONNX HardSigmoid)",
        "alpha if 0 < alpha * x + beta < 1 else 0", "[0, 1]",
        params=(Param("alpha", 0.2, "slope"), Param("beta", 0.5, "offset")),
        ulp=(0, 1), grad_ulp=(0, 0), kinks=(-2.5, 2.5),
        notes="PyTorch's hardsigmoid is fastact.hardsigmoid (slope 1/6).",
        f32=('float', 'float'),
    ),
    Activation(
        "hardtanh", "clip(x, min_val, max_val)", "1 if min_val < x < max_val else 0 (0 at both kinks)",
        "[min_val, max_val]",
        params=(Param("min_val", -1.0, "lower bound"), Param("max_val", 1.0, "upper bound")),
        exact=True, kinks=(-1.0, 1.0),
        notes="If min_val > max_val every output is max_val (as torch.clamp).",
    ),
    Activation(
        "tanhshrink", "x - tanh(x)", "tanh(x)**2", "(-inf, inf)", ulp=(2, 2), grad_ulp=(1, 2),
        notes="For |x| < 1 a fitted odd polynomial avoids the cancellation of x - tanh(x); above, "
        "(|x| - 1) + 2 / (1 + exp(2|x|)) has none.",
    ),
    Activation(
        "softshrink", "x - lambd if x > lambd, x + lambd if x < -lambd, else 0",
        "1 if |x| > lambd else 0 (0 at +-lambd)", "(-inf, inf)",
        params=(Param("lambd", 0.5, "half-width of the dead zone (>= 0)"),), exact=True,
        kinks=(-0.5, 0.5), grad_c="fa_shrink_grad",
    ),
    Activation(
        "hardshrink", "x if |x| > lambd else 0", "1 if |x| > lambd else 0 (0 at +-lambd)",
        "(-inf, inf)", params=(Param("lambd", 0.5, "half-width of the dead zone (>= 0)"),),
        exact=True, kinks=(-0.5, 0.5), grad_c="fa_shrink_grad",
    ),
    Activation(
        "threshold", "x if x > threshold else value", "1 if x > threshold else 0 (0 at threshold)",
        "(threshold, inf) and {value}",
        params=(Param("threshold", None, "the switch point"), Param("value", None, "the replacement")),
        exact=True, kinks=(0.25,),
        notes="NaN in -> NaN out (PyTorch returns value, since NaN > threshold is false).",
    ),
)


def _ufuncs_of(act: Activation):
    x_in = ("x",) + tuple(p.name for p in act.params)
    b_in = ("dy", "x") + tuple(p.name for p in act.params)
    yield Ufunc(act.name, act, "forward", act.c_fwd, "F", x_in, act.params, act.ulp)
    yield Ufunc(f"{act.name}_grad", act, "grad", act.c_grad, "F", x_in, act.params, act.grad_ulp)
    # dy * f'(x) against dy * reference f'(x): both products round once more
    back_ulp = (act.grad_ulp[0] + 1, act.grad_ulp[1] + 2)
    yield Ufunc(f"{act.name}_backward", act, "backward", act.c_grad, "B", b_in, act.params, back_ulp)
    if act.from_output:
        y_in = ("y",) + tuple(p.name for p in act.params)
        by_in = ("dy", "y") + tuple(p.name for p in act.params)
        c = f"fa_{act.name}_grad_from_output"
        yield Ufunc(f"{act.name}_grad_from_output", act, "grad_from_output", c, "F", y_in,
                    act.params, (0, 1))
        yield Ufunc(f"{act.name}_backward_from_output", act, "backward_from_output", c, "B",
                    by_in, act.params, (1, 2))
    for pg in act.param_grads:
        yield Ufunc(f"{act.name}_grad_{pg.param}", act, f"grad_{pg.param}", pg.c, "F", x_in,
                    act.params, (0, 0))
        yield Ufunc(f"{act.name}_backward_{pg.param}", act, f"backward_{pg.param}", pg.c, "B",
                    b_in, act.params, (1, 1))


UFUNCS = tuple(u for a in ACTIVATIONS for u in _ufuncs_of(a))
BY_NAME = {u.name: u for u in UFUNCS}

# aliases: public name -> the name of the object it points at
ALIASES = {}
for _a in ACTIVATIONS:
    for _al in _a.aliases:
        for _suffix in ("", "_grad", "_backward"):
            ALIASES[_al + _suffix] = _a.name + _suffix


# ---- docstrings -------------------------------------------------------------
def _param_text(params):
    out = []
    for p in params:
        d = "required" if p.default is None else f"default {p.default!r}"
        out.append(f"    {p.name} : array_like, {d}\n        {p.doc}")
    return "\n".join(out)


def docstring(u: Ufunc) -> str:
    a = u.act
    if u.role == "forward":
        head = f"{a.name}: {a.formula}."
        body = [f"Range: {a.range}.", f"Derivative: {a.name}'(x) = {a.derivative} "
                f"({a.name}_grad; fused dy * f'(x): {a.name}_backward)."]
    elif u.role == "grad":
        head = f"Derivative of {a.name} from its input: {a.derivative}."
        body = [f"{a.name}(x) = {a.formula}."]
    elif u.role == "backward":
        head = f"Fused backward pass of {a.name}: dy * {a.name}'(x) in one pass, {a.name}'(x) = {a.derivative}."
        body = []
    elif u.role == "grad_from_output":
        head = f"Derivative of {a.name} from its OUTPUT y = {a.name}(x): {a.from_output}."
        body = [f"Cheaper than {a.name}_grad(x) when y is at hand; less accurate where y "
                "has lost the information (in the saturated tails)."]
    elif u.role == "backward_from_output":
        head = f"Fused backward pass of {a.name} from its OUTPUT y: dy * ({a.from_output})."
        body = []
    else:
        pg = next(p for p in a.param_grads if u.role.endswith("_" + p.param))
        if u.role.startswith("grad_"):
            head = f"Derivative of {a.name} with respect to {pg.param}: {pg.formula}."
        else:
            head = f"Fused backward pass of {a.name} to {pg.param}: dy * ({pg.formula})."
        body = [f"Sum over the axes along which {pg.param} was broadcast to get its gradient."]
    if a.notes and u.role == "forward":
        body.append(a.notes)
    accuracy = ("exact (0 ULP)" if u.ulp == (0, 0)
                else f"within {u.ulp[0]} ULP (float32) and {u.ulp[1]} ULP (float64)")
    body.append(f"Accuracy: {accuracy}.  NaN in -> NaN out.")
    params = ""
    if u.params:
        params = "\n\nParameters\n----------\n" + "\n".join(
            f"    {n} : array_like" for n in u.inputs[: len(u.inputs) - len(u.params)]) + "\n" + _param_text(u.params)
    example = f"\n\nExample\n-------\n>>> import numpy as np, fastact as fa\n>>> fa.{call_example(u)}"
    return f"{head}\n\n" + "\n".join(body) + params + example


def call_example(u: Ufunc) -> str:
    args = ["np.linspace(-2, 2, 5)" if n in ("x", "y") else "np.ones(5)" for n in
            u.inputs[: len(u.inputs) - len(u.params)]]
    args += [("float('inf')" if p.default == float("inf") else repr(p.default)) if p.default is not None
             else "0.25" for p in u.params]
    return f"{u.name}({', '.join(args)})"


# ---- the generated C header --------------------------------------------------
def c_header() -> str:
    rows = []
    for u in UFUNCS:
        # f32[0] for f, f32[1] for f' and dy * f'; the from-output and parameter
        # derivatives are cheap arithmetic, exact in double
        # a fused backward multiplies in double: f'(x) rounded to float first could underflow
        # to 0 where dy * f'(x) is still a float32 subnormal
        f32 = {"forward": u.act.f32[0], "grad": u.act.f32[1]}.get(u.role, "double")
        # f: float, s: float with its own algorithm (fa_<name>_s), h: double, float32-grade;
        # a fused backward whose f' computes in float: bf / bs (f' in float, dy * f' in double,
        # blocks where f' leaves float's normal range redone in double: kernels.inc)
        if u.role == "backward" and u.act.bw32 and not u.params and u.act.f32[1] in ("float", "float32"):
            ct32 = "bf" if u.act.f32[1] == "float" else "bs"
        else:
            ct32 = "f" if (u.act.exact or f32 == "float") else "s" if f32 == "float32" else "h"
        rows.append(f"    X({u.name}, {u.c}, {u.kind}, {len(u.params)}, {ct32})")
    return (
        "/* GENERATED by setup.py from fastact/_table.py -- do not edit. */\n"
        "#ifndef FA_GEN_H\n#define FA_GEN_H\n"
        "/* X(ufunc name, scalar C function, F|B, number of parameters,\n"
        "     float32 kernel: f float, s float with its own algorithm (activations_f32.h), h double,\n"
        "     bf / bs: fused backward with f' from the f / s function, redone in double where needed) */\n"
        "#define FA_ELEMENTWISE(X) \\\n" + " \\\n".join(rows) + "\n#endif\n"
    )


# ---- the README's function table ---------------------------------------------
def markdown_table() -> str:
    """The README's table of activations, written from the rows above."""
    def params(a):
        return ", ".join(p.name + ("" if p.default is None else f"={p.default!r}") for p in a.params)

    def ulps(b):
        return "exact" if b == (0, 0) else f"{b[0]} / {b[1]}"

    def f32(a):
        f, g = ("float", "float") if a.exact else tuple("float" if t == "float32" else t for t in a.f32)
        return f if f == g else f"{f}; f' {g}"

    lines = ["| function | parameters | f(x) | range | f'(x) | extra ufuncs | max ULP f; f' (float32 / float64) "
             "| float32 computed in |",
             "|---|---|---|---|---|---|---|---|"]
    for a in ACTIVATIONS:
        extra = [f"`{a.name}_grad_from_output`"] if a.from_output else []
        extra += [f"`{a.name}_grad_{pg.param}`" for pg in a.param_grads]
        names = f"`{a.name}`" + "".join(f" (`{al}`)" for al in a.aliases)
        lines.append(f"| {names} | {params(a) or '-'} | {a.formula} | {a.range} | {a.derivative} | "
                     f"{', '.join(extra) or '-'} | {ulps(a.ulp)}; {ulps(a.grad_ulp)} | {f32(a)} |")
    return "\n".join(lines).replace("**", "^")
