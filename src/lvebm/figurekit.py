"""The drawing helpers the figure modules share (heat maps of a mesh, gradient arrows, panels,
limits, the decoded manifold, the horn's 3-D axes, labels of beta and of models), in the
lecture's style (:mod:`lvebm.plotstyle`). Each stage's figures live in their own module:
:mod:`lvebm.figures` (the lecture's), :mod:`lvebm.relaxed_figures`, :mod:`lvebm.training_figures`,
:mod:`lvebm.conditional_figures`, :mod:`lvebm.probabilistic_figures`,
:mod:`lvebm.amortized_figures`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lvebm import plotstyle as ps

# a table as the figure functions take it: column name -> numpy array
Columns = Mapping[str, np.ndarray]


TWO_PI = 2.0 * np.pi


def manifold(energies: Columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The decoded latent grid (z, g1, g2) as stored with the first sample's energies."""
    first = energies["i"] == energies["i"][0]
    return energies["z"][first], energies["y1_tilde"][first], energies["y2_tilde"][first]


def draw_manifold(ax, energies: Columns, *, points: bool = False, label: str = "manifold g(z)"):
    _, g1, g2 = manifold(energies)
    ax.plot(np.r_[g1, g1[:1]], np.r_[g2, g2[:1]], color=ps.MANIFOLD, lw=1.5, label=label, zorder=2)
    if points:
        ax.scatter(g1, g2, s=14, color=ps.MANIFOLD, zorder=3)


def row(table: Columns, mask: np.ndarray) -> dict[str, object]:
    k = int(np.flatnonzero(mask)[0])
    return {name: values[k] for name, values in table.items()}


def mesh_shape(mesh: Columns) -> tuple[int, int]:
    n1 = int(np.unique(mesh["y1"]).size)
    return mesh["y1"].size // n1, n1


def grid(mesh: Columns, column: str) -> np.ndarray:
    return mesh[column].reshape(mesh_shape(mesh))


def stride(n: int, most: int) -> int:
    return max(1, int(np.ceil(n / most)))


def thin(mesh: Columns, most_per_axis: int) -> np.ndarray:
    """Flat indices of a regular sub-grid with at most ``most_per_axis`` points per axis."""
    n2, n1 = mesh_shape(mesh)
    rows = np.arange(0, n2, stride(n2, most_per_axis))
    cols = np.arange(0, n1, stride(n1, most_per_axis))
    return (rows[:, None] * n1 + cols[None, :]).ravel()


def heat(ax, mesh: Columns, *, vmax: float, alpha: float = 1.0):
    y1, y2 = np.unique(mesh["y1"]), np.unique(mesh["y2"])
    return ax.pcolormesh(
        y1,
        y2,
        grid(mesh, "F"),
        shading="nearest",
        vmin=0.0,
        vmax=vmax,
        alpha=alpha,
        cmap="viridis",
        rasterized=True,
    )


def panels(size, n: int, *, cols: int = 3, **subplots):
    """A figure with ``n`` panels in rows of at most ``cols`` (a 2-D array of axes)."""
    cols = min(cols, n)
    return ps.figure(size, nrows=int(np.ceil(n / cols)), ncols=cols, squeeze=False, **subplots)


def limits(mesh: Columns, pad: float = 0.3):
    return (
        (mesh["y1"].min() - pad, mesh["y1"].max() + pad),
        (mesh["y2"].min() - pad, mesh["y2"].max() + pad),
    )


# 1 ------------------------------------------------------------------------------------------
def style_3d(ax) -> None:
    """Axes x, y1, y2 of the horn's 3-D figures, seen from the lecture's angle, panes clear."""
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y_1$")
    ax.set_zlabel("$y_2$")
    ax.view_init(elev=18, azim=-62)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((0, 0, 0, 0))


# 11 -----------------------------------------------------------------------------------------
def arrows(ax, mesh: Columns, *, max_arrows: int) -> None:
    """Arrows -grad F on a thinned sub-grid of the mesh, lengths proportional to the gradient
    (the longest spans 0.9 of the arrows' spacing)."""
    idx = thin(mesh, max_arrows)
    n2, n1 = mesh_shape(mesh)
    spacing = min(np.ptp(mesh["y1"]) / max(n1 - 1, 1), np.ptp(mesh["y2"]) / max(n2 - 1, 1))
    spacing *= max(stride(n1, max_arrows), stride(n2, max_arrows))
    u, v = -mesh["dF_dy1"][idx], -mesh["dF_dy2"][idx]
    longest = float(np.max(np.hypot(u, v))) or 1.0
    ax.quiver(
        mesh["y1"][idx],
        mesh["y2"][idx],
        u,
        v,
        angles="xy",
        scale_units="xy",
        scale=longest / (0.9 * spacing),
        color="white",
        width=0.0025,
        alpha=0.85,
    )


def samples_on_map(ax, s: Columns, *, size: float = 16) -> None:
    ax.scatter(
        s["y1"],
        s["y2"],
        s=size,
        color=ps.SAMPLES,
        edgecolor="black",
        lw=0.4,
        zorder=5,
        label="samples",
    )


# 14-17: finite temperature (lecture 15-2) ---------------------------------------------------
def beta_text(beta: float) -> str:
    return r"$\beta = \infty$" if np.isinf(beta) else rf"$\beta = {beta:g}$"


# 18-22: training (lecture 15-2) ------------------------------------------------------------
def model_rows(table: Columns, **match) -> Columns:
    """The rows of ``table`` whose columns equal the given values."""
    rows = np.ones(next(iter(table.values())).size, dtype=bool)
    for key, value in match.items():
        rows &= table[key] == value
    return {k: v[rows] for k, v in table.items()}


def round_ticks(low: float, high: float) -> list[float]:
    """Ticks of a log axis from ``low`` to ``high`` at round values, 1, 2 and 5 times a power of
    ten (only the powers of ten where those would be more than eight).

    >>> round_ticks(0.0029, 1.2)
    [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    >>> round_ticks(1e-6, 10.0)
    [1e-06, 1e-05, 0.0001, 0.001, 0.01, 0.1, 1.0, 10.0]
    """
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    for mantissas in ((1.0, 2.0, 5.0), (1.0,)):
        ticks = [float(f"{m}e{e}") for e in range(first, last + 1) for m in mantissas]
        ticks = [t for t in ticks if low <= t <= high]
        if len(ticks) <= 8:
            return ticks
    return ticks
