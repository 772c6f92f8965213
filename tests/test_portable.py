"""The portable kernels (lvebm.portable): accurate against mpmath, C's special values, BLAS-free
products whose bits do not depend on order, and the rule that the science modules use them."""

from __future__ import annotations

import ast
from pathlib import Path

import mpmath
import numpy as np
import pytest
import scipy.special

from lvebm import portable

ROOT = Path(__file__).resolve().parents[1]
N = 4000  # arguments per kernel here; bench/kernels.py measures 10^6 (bench/README.md)

# the largest error measured on 10^6 points (bench/README.md), which these draws must not exceed
ULP_BOUND = {
    "exp": 1.0,
    "log": 1.0,
    "log1p": 1.0,
    "expm1": 1.0,
    "sin": 1.0,
    "cos": 1.0,
    "hypot": 1.0,
    "tanh": 0.55,  # a table and a correction that is at most 2^-9 of the result: nearly exact
    "arctan2": 1.5,
    "softplus": 2.0,
    "log_i0e": 6.0,
}
REFERENCE = {
    "exp": mpmath.exp,
    "log": mpmath.log,
    "log1p": mpmath.log1p,
    "expm1": mpmath.expm1,
    "tanh": mpmath.tanh,
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "arctan2": mpmath.atan2,
    "hypot": lambda x, y: mpmath.sqrt(x * x + y * y),
    "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
    "log_i0e": lambda x: mpmath.log(mpmath.besseli(0, x)) - abs(x),
}


def draws(name: str, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    u = rng.uniform
    wide = np.exp(u(np.log(1e-300), np.log(1e300), N)) * rng.choice([-1.0, 1.0], N)
    if name == "exp":
        return (u(-745.0, 709.78, N),)
    if name == "log":
        return (np.abs(wide),)
    if name == "log1p":
        return (np.concatenate([u(-1.0, 1.0, N // 2), np.abs(wide[: N // 2])]),)
    if name == "expm1":
        return (np.concatenate([u(-45.0, 709.0, N // 2), wide[: N // 2] * 1e-280]),)
    if name == "tanh":  # every cell of its table, the tiny ones included
        tiny = np.exp(u(np.log(1e-20), np.log(30.0), N // 2)) * rng.choice([-1.0, 1.0], N // 2)
        return (np.concatenate([u(-30.0, 30.0, N // 2), tiny]),)
    if name == "softplus":
        return (u(-30.0, 30.0, N),)
    if name in ("sin", "cos"):
        return (np.concatenate([u(-13.0, 13.0, N // 2), u(-1.6e6, 1.6e6, N // 2)]),)
    if name in ("arctan2", "hypot"):
        return wide, np.exp(u(np.log(1e-300), np.log(1e300), N)) * rng.choice([-1.0, 1.0], N)
    return (u(0.0, 60.0, N),)  # log_i0e


@pytest.mark.parametrize("name", sorted(ULP_BOUND))
def test_each_kernel_is_within_its_ulp_bound_of_mpmath(name):
    mpmath.mp.prec = 120
    args = draws(name, np.random.default_rng(sorted(ULP_BOUND).index(name)))
    got = np.asarray(getattr(portable, name)(*args))
    errors = []
    for i in range(got.size):
        ref = REFERENCE[name](*(mpmath.mpf(float(a[i])) for a in args))
        r = float(ref)
        errors.append(float(abs(mpmath.mpf(float(got[i])) - ref)) / float(np.spacing(abs(r))))
    assert max(errors) <= ULP_BOUND[name], (name, max(errors))


def test_the_shipped_tanh_table_is_what_mpmath_builds():
    """tanh's table (lvebm/tanh_table.npy) is rebuilt by ``python -m lvebm.tables``: the same
    bits, so no one edits it by hand; each cell's centre is where the kernel looks it up."""
    from lvebm import tables

    built = tables.build_tanh_table()
    assert built.tobytes() == portable.TANH_TABLE.tobytes()
    centres = built[0, 1:]
    cells = (centres.view(np.int64) >> tables.TANH_SHIFT) - portable.TANH_FIRST_CELL
    assert cells.tolist() == list(range(1, built.shape[1]))
    assert built[0, 0] == 0.0 and centres[0] > 2.0**tables.TANH_FIRST_EXPONENT


def test_kernels_follow_numpys_special_values():
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, -1e-310, 5e-324, 1e308, -1e308])
    with np.errstate(all="ignore"):
        for name, ref in (
            ("exp", np.exp),
            ("log", np.log),
            ("log1p", np.log1p),
            ("expm1", np.expm1),
            ("tanh", np.tanh),
            ("sin", np.sin),
            ("cos", np.cos),
        ):
            got, want = getattr(portable, name)(special), ref(special)
            np.testing.assert_array_equal(got, want, err_msg=name)
            signed = ~np.isnan(want)  # a NaN's sign means nothing
            assert np.array_equal(np.signbit(got[signed]), np.signbit(want[signed])), name
        x, y = np.meshgrid(special, special)
        for name, ref in (("arctan2", np.arctan2), ("hypot", np.hypot)):
            got, want = getattr(portable, name)(y, x), ref(y, x)
            np.testing.assert_array_equal(got, want, err_msg=name)
            signed = ~np.isnan(want)
            assert np.array_equal(np.signbit(got[signed]), np.signbit(want[signed])), name
        np.testing.assert_array_equal(
            portable.softplus(special), np.logaddexp(0.0, special), err_msg="softplus"
        )
        np.testing.assert_allclose(
            portable.log_i0e(special[np.isfinite(special)]),
            np.log(scipy.special.i0e(special[np.isfinite(special)])),
            rtol=1e-15,
            atol=1e-300,  # log_i0e(1e-310) is -1e-310; log(i0e(1e-310)) rounds it to 0
        )


def test_kernels_return_a_ufuncs_shapes_and_scalars():
    assert isinstance(portable.exp(1.0), np.float64)
    assert portable.arctan2(np.ones((3, 1)), np.ones(4)).shape == (3, 4)
    s, c = portable.sincos(np.linspace(-3.0, 3.0, 7))
    np.testing.assert_array_equal(s, portable.sin(np.linspace(-3.0, 3.0, 7)))
    np.testing.assert_array_equal(c, portable.cos(np.linspace(-3.0, 3.0, 7)))
    g = portable.geomspace(1e-3, 1e2, 11)
    assert g[0] == 1e-3 and g[-1] == 1e2
    np.testing.assert_allclose(g, np.geomspace(1e-3, 1e2, 11), rtol=4e-16)
    assert portable.geomspace(0.01, 1e4, 7).tolist() == [0.01, 0.1, 1.0, 10.0, 100.0, 1e3, 1e4]


def test_sin_and_cos_beyond_their_reduction_are_numpys():
    x = np.array([3e6, -1e300, np.inf])
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(portable.sin(x), np.sin(x))
        np.testing.assert_array_equal(portable.cos(x), np.cos(x))


def test_scaling_by_powers_of_two_is_ldexps_bit_for_bit():
    """exp and expm1 scale by 2^k with two multiplications (``portable._scale``) instead of
    NumPy's ldexp: the same bits, subnormal and overflowing results included."""
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.uniform(0.5, 2.0, 200_000), -rng.uniform(0.5, 2.0, 20_000)])
    k = rng.integers(-1100, 1101, y.size)
    k[:4000] = rng.integers(-1080, -1020, 4000)  # subnormal results, each rounded once
    with np.errstate(over="ignore"):
        expected = np.ldexp(y, k)
        got = portable._scale(y, k)
    assert np.array_equal(got.view(np.int64), expected.view(np.int64))
    assert np.count_nonzero((got != 0) & (np.abs(got) < np.finfo(np.float64).tiny)) > 1000


def test_dot_rows_is_dot_of_the_outer_product_bit_for_bit():
    """The networks' weight gradients: row by row, the same pairwise sums as the whole product."""
    rng = np.random.default_rng(5)
    for m, p, n in [(16, 16, 2000), (8, 1, 8000), (2, 8, 777), (3, 5, 1)]:
        g, a = rng.normal(size=(n, m)).T, rng.normal(size=(p, n))  # g as a transposed view
        expected = portable.dot(g[:, None, :], a[None, :, :])
        assert np.array_equal(portable.dot_rows(g, a).view(np.int64), expected.view(np.int64))
    with pytest.raises(ValueError, match="dot_rows: shapes"):
        portable.dot_rows(np.ones((2, 3)), np.ones((2, 4)))


def test_matmul_sums_each_entry_in_index_order():
    """The product's entries are the sums term by term in the order of k (a fixed order), with
    a signed zero as IEEE addition gives it from +0."""
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(5, 7)), rng.normal(size=(7, 9))
    a[0, :] = -0.0
    expected = np.zeros((5, 9))
    for k in range(7):
        expected = expected + a[:, k : k + 1] * b[k : k + 1, :]
    assert np.array_equal(portable.matmul(a, b).view(np.int64), expected.view(np.int64))


def test_exact_tmatmul_is_exact_so_the_order_of_its_sums_cannot_matter():
    rng = np.random.default_rng(5)
    j = rng.normal(size=(3000, 12)) * np.exp(rng.normal(size=12) * 3)
    r = rng.normal(size=3000)
    gram, grad = portable.exact_tmatmul(j), portable.exact_tmatmul(j, r)
    perm = rng.permutation(3000)  # the rows summed in another order: the same bits
    assert np.array_equal(gram, portable.exact_tmatmul(j[perm]))
    assert np.array_equal(grad, portable.exact_tmatmul(j[perm], r[perm]))
    assert np.array_equal(gram, gram.T)
    mpmath.mp.prec = 200
    for a, b in ((0, 0), (3, 7), (11, 2)):
        terms = zip(j[:, a], j[:, b], strict=True)
        exact = mpmath.fsum(mpmath.mpf(float(p)) * mpmath.mpf(float(q)) for p, q in terms)
        # the bound of a float64 product summed in any order: n u max|a| max|b|
        scale = float(np.abs(j[:, a]).max() * np.abs(j[:, b]).max())
        assert abs(float(exact) - gram[a, b]) <= 3000 * 2.0**-53 * scale
    np.testing.assert_allclose(gram, j.T @ j, rtol=1e-12, atol=1e-13 * np.abs(j.T @ j).max())


def test_matmul_dot_and_solve_match_numpy_to_rounding():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(7, 5)), rng.normal(size=(5, 9))
    np.testing.assert_allclose(portable.matmul(a, b), a @ b, rtol=1e-14, atol=1e-14)
    np.testing.assert_array_equal(portable.dot(a, a), np.sum(a * a, axis=-1))
    m, v = rng.normal(size=(40, 40)), rng.normal(size=40)
    np.testing.assert_allclose(portable.solve(m, v), np.linalg.solve(m, v), rtol=1e-10)
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        portable.solve(np.zeros((2, 2)), np.ones(2))


# --- the rule: the science modules compute with the portable kernels -----------------------------

# calls whose result depends on the platform's kernels (libm, NumPy's SIMD, BLAS, LAPACK)
PLATFORM_FUNCTIONS = set(
    "exp exp2 expm1 log log2 log10 log1p logaddexp logaddexp2 sin cos tan arcsin arccos arctan "
    "arctan2 sinh cosh tanh hypot power float_power cbrt angle geomspace logspace dot vdot inner "
    "outer matmul tensordot einsum linalg".split()
)
# math's functions that IEEE 754 rounds correctly (or that are exact)
EXACT_MATH = {"sqrt", "pi", "inf", "nan", "isfinite", "isnan", "isinf", "floor", "ceil", "fsum"}
# (file, what) -> why it cannot change an artifact's bits
ALLOWED = {
    ("src/lvebm/pipeline/numerics.py", "import scipy"): "the platform record: SciPy's version",
    ("src/lvebm/pipeline/numerics.py", "import scipy.linalg"): (
        "the platform record: loads SciPy's OpenBLAS so that threadpoolctl reads its kernel"
    ),
}
SCANNED = sorted(
    [p for p in (ROOT / "src/lvebm").rglob("*.py") if p.name != "portable.py"]
    + list((ROOT / "workflow/scripts").glob("*.py"))
)


def platform_calls(path: Path) -> list[tuple[int, str]]:
    """(line, what) of every use of a platform-dependent kernel in the file's code."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in ("np", "numpy") and node.attr in PLATFORM_FUNCTIONS:
                found.append((node.lineno, f"np.{node.attr}"))
            if node.value.id == "math" and node.attr not in EXACT_MATH:
                found.append((node.lineno, f"math.{node.attr}"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            found.append((node.lineno, "@"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            # x ** 2, x ** 0.5, x ** -1 are NumPy's exact fast paths; 2 ** k is exact anywhere
            exponent, base = node.right, node.left
            if isinstance(exponent, ast.Constant) and exponent.value in (-1, 0.5, 2):
                continue
            if isinstance(base, ast.Constant) and base.value in (2, 2.0):
                continue
            found.append((node.lineno, f"** {ast.unparse(exponent)}"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "scipy":
            names = ", ".join(alias.name for alias in node.names)
            found.append((node.lineno, f"from {node.module} import {names}"))
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, f"import {a.name}") for a in node.names if a.name.startswith("scipy")
            ]
    return found


def test_the_science_modules_compute_with_the_portable_kernels():
    offenders = []
    for path in SCANNED:
        rel = path.relative_to(ROOT).as_posix()
        for line, what in platform_calls(path):
            if (rel, what) not in ALLOWED:
                offenders.append(f"{rel}:{line}: {what}")
    assert not offenders, "use lvebm.portable (or allow-list with a reason):\n" + "\n".join(
        offenders
    )


def test_the_scan_finds_what_it_forbids(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import numpy as np\nimport math\nfrom scipy.special import i0e\n"
        "a = np.exp(1.0) + np.linalg.norm(x) + (w @ v) + math.log(2.0) + x ** 3 + x ** 2\n"
    )
    found = {what for _, what in platform_calls(sample)}
    assert found == {
        "np.exp",
        "np.linalg",
        "@",
        "math.log",
        "** 3",
        "from scipy.special import i0e",
    }


def test_every_allowed_use_still_exists():
    present = {(p.relative_to(ROOT).as_posix(), w) for p in SCANNED for _, w in platform_calls(p)}
    assert set(ALLOWED) <= present, set(ALLOWED) - present


def test_gauss_newton_is_exact_tmatmuls_gram_whatever_the_order_of_the_rows():
    rng = np.random.default_rng(8)
    jt = rng.normal(size=(20, 5000)) * np.exp(rng.normal(size=(20, 1)) * 2)
    r = rng.normal(size=5000)
    gram, grad = portable.gauss_newton(jt.T, r)
    assert np.array_equal(gram, portable.exact_tmatmul(jt.T))
    np.testing.assert_array_equal(grad, portable.dot(jt, r))
    perm = rng.permutation(5000)  # other rows in each block of GRAM_BLOCK: the same bits
    assert np.array_equal(gram, portable.gauss_newton(jt.T[perm], r[perm])[0])
    coarse, _ = portable.gauss_newton(jt.T, r, gram_bits=36)
    np.testing.assert_allclose(coarse, gram, rtol=0, atol=2.0**-30 * np.abs(gram).max())
