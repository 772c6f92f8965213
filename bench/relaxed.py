"""Benchmark of the relaxed free energy F_beta: the grid of 48 latents on 10^6 mesh points against
the straightforward way (an energy table and ``scipy.special.logsumexp``) on the same points, and
the continuous integral, measured side by side in one run (medians of repeats).

    .venv/bin/python bench/relaxed.py            # prints a Markdown table for the README

Targets (2-core machine): the grid at most 0.6 us per point per beta and at least 3 times faster
than the straightforward way, equal to it to 1e-12 relative; the continuous F_beta at most 20 us
per point for beta <= 100.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.special import logsumexp
from timing import median_seconds, mesh

from lvebm.model import Decoder, latent_grid
from lvebm.relaxed import free_energy_relaxed

DEC = Decoder(-1.45, 0.36)
LECTURE_BETAS = [0.1, 0.3, 1.0, 3.2, 10.0]
BLOCK = 100_000  # the straightforward way's energy table, a block of points at a time


def straightforward(y1, y2, beta, n=48):
    """F_beta = -(1/beta) logsumexp(-beta E_k, b=1/n) from the full table E_k (F only)."""
    z = latent_grid(n)
    out = np.empty(y1.size)
    for lo in range(0, y1.size, BLOCK):
        energy = DEC.energy(y1[lo : lo + BLOCK, None], y2[lo : lo + BLOCK, None], z[None, :])
        out[lo : lo + BLOCK] = -logsumexp(-beta * energy, axis=1, b=1.0 / n) / beta
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=1000, help="mesh side (points = side^2)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--continuous", type=int, default=20_000, help="points, continuous")
    args = parser.parse_args()
    y1, y2 = mesh(args.side, args.side)
    rows = []
    for beta in LECTURE_BETAS:
        ours = free_energy_relaxed(DEC, y1, y2, beta).F
        ref = straightforward(y1, y2, beta)
        rel = float(np.max(np.abs(ours - ref) / np.abs(ref)))
        one = median_seconds(lambda b=beta: free_energy_relaxed(DEC, y1, y2, b), args.repeats)
        two = median_seconds(
            lambda b=beta: free_energy_relaxed(DEC, y1, y2, b, workers=2), args.repeats
        )
        plain = median_seconds(lambda b=beta: straightforward(y1, y2, b), args.repeats)
        rows.append((beta, one, two, plain, rel))
    points = y1.size
    print(f"F_beta on the grid of 48 latents, {points:,} mesh points, medians of {args.repeats}\n")
    print("| beta | 1 thread | 2 threads | table + logsumexp | ratio (1 thread) | max rel. diff |")
    print("|---|---|---|---|---|---|")
    for beta, one, two, plain, rel in rows:
        print(
            f"| {beta:g} | {one / points * 1e9:.0f} ns | {two / points * 1e9:.0f} ns "
            f"| {plain / points * 1e9:.0f} ns | {plain / one:.1f}x | {rel:.1e} |"
        )
    rng = np.random.default_rng(0)
    c1 = rng.uniform(-3, 3, args.continuous)
    c2 = rng.uniform(-2, 2, args.continuous)
    print(f"\nContinuous F_beta, {args.continuous:,} random points of the mesh's box\n")
    print("| beta | per point | mean nodes | largest |")
    print("|---|---|---|---|")
    for beta in (0.1, 1.0, 10.0, 100.0, 1e4):
        result = free_energy_relaxed(DEC, c1, c2, beta, n=None)
        seconds = median_seconds(
            lambda b=beta: free_energy_relaxed(DEC, c1, c2, b, n=None), args.repeats
        )
        print(
            f"| {beta:g} | {seconds / args.continuous * 1e6:.2f} us "
            f"| {result.nodes.mean():.0f} | {result.nodes.max()} |"
        )


if __name__ == "__main__":
    main()
