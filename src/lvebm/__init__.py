"""lvebm: inference for latent-variable energy-based models (NYU DLSP20, week 15).

The library is pure numpy/scipy: no file paths, no configuration, no Snakemake. Its public API is
importable from the package itself, loaded on first use (``import lvebm`` stays cheap)::

    >>> import lvebm
    >>> decoder = lvebm.Decoder(w1=-1.45, w2=0.36)          # the lecture's untrained decoder
    >>> y = lvebm.sample_slice(24, x=0.0, seed=709, alpha=1.5, beta=2.0, noise_std=0.05)
    >>> exact = lvebm.free_energy_exact(decoder, y["y1"], y["y2"])
    >>> found = lvebm.minimize(decoder, y["y1"], y["y2"], z_init=0.5, method="lbfgs")
    >>> bool(abs(found.F - exact.F).max() < 1e-9)  # from 0.5 all 24 reach the global minimum
    True

Conventions (every export follows them; ``tests/test_api.py`` checks them over ``__all__``):

- **Shapes.** Functions of points broadcast ``y1`` and ``y2`` with numpy's rules, and every
  per-point output has their broadcast shape: a ``(2, 3)`` grid gives ``(2, 3)`` arrays, two
  scalars give 0-d arrays. Functions that build the pipeline's tables return dicts of flat
  columns, in the order of the points.
- **Results.** A computation on points returns one frozen record with named fields, like
  scipy's ``OptimizeResult``: ``InferenceResult`` (``z_check, F, n_iter, n_eval, converged,
  trace``), ``ExactFreeEnergy`` (``z_check, F, unique, n_iter``), ``RelaxedFreeEnergy``. A
  function that returns several tables returns a ``NamedTuple`` of them (``infer``:
  ``results, trace``; ``train``: ``results, trajectories, landscape``), which also unpacks.
- **Methods** are chosen by keyword, ``method=``, after the points: ``minimize(decoder, y1, y2,
  z_init, method="lbfgs")``, ``infer(decoder, labels, y1, y2, method="lbfgs")``.
- **Defaults** are the lecture's: ``sample_slice()`` is its 24 samples at x = 0 (seed 709, the
  pipeline's), ``Network()`` its 1 -> 8 -> 8 -> 2, ``train(y1, y2)``, ``em(y1, y2)`` and
  ``target_propagation(net, y1, y2)`` start from its untrained decoder, ``mesh_points()`` is its
  25 x 17 mesh, every optimizer option its scipy counterpart's, every other default the
  pipeline's ``config.yaml``.
- **Bad arguments** stop with one ``TypeError`` (a string, a bool or an array where a number
  belongs) or ``ValueError`` (a negative size or seed, a non-integer label, an option out of
  range, complex points) that names the argument and what is allowed, never numpy's message.
  A fit (``em``, ``fit_encoder``, ``target_propagation``, ``train``) stops the same way on
  samples that are not finite, on no samples at all and on degenerate ones (``em`` on y2 = 0
  everywhere).
- **Extreme values.** Any non-zero finite weights give finite results where the true value is
  representable (tiny, huge, a circle, as thin as a segment: tested against a brute force);
  a point that is not finite gives NaN (and ``converged = False``), a squared distance beyond
  the float range gives ``F = inf``, no points give empty results; never a numpy warning.

Every public function and class has a numpydoc docstring (Parameters, Returns, Raises, an
example the tests run); the API reference is built from them (``docs/api/``).

Modules:

- :mod:`lvebm.model`: the decoder g(z) = [w1 cos z, w2 sin z], the energy and its derivatives,
  the latent grid, the energy table E_i(z_k);
- :mod:`lvebm.data`: the horn and slice samplers (named random streams);
- :mod:`lvebm.exact`: the exact F_inf and z_check (distance to an ellipse), one decoder or one
  per point;
- :mod:`lvebm.optimize`: batched optimizers (exhaustive, gradient descent, line search,
  conjugate gradient, L-BFGS, Newton, exact) and :func:`minimize`, which takes a method name;
  :mod:`lvebm.linesearch`: scipy's Wolfe line searches, batched;
- :mod:`lvebm.inference`: an optimizer's results scored against the exact free energy;
- :mod:`lvebm.meshgrid` (mesh geometry) and :mod:`lvebm.mesh` (the F_inf field, its gradient);
- :mod:`lvebm.relaxed`: the relaxed free energy F_beta at finite temperature;
- :mod:`lvebm.training`: training the decoder by minimising the free energy, denoising;
- :mod:`lvebm.network`: small multilayer perceptrons and their full-batch trainers (Adam,
  L-BFGS, Levenberg-Marquardt), shared by the conditional horn and the encoder;
- :mod:`lvebm.conditional`: the conditional horn, a network f(x) giving the radii;
- :mod:`lvebm.amortized`: amortized inference, an encoder that guesses the latent (trained
  supervised or on the energy), its gap, and target propagation;
- :mod:`lvebm.probabilistic`: F_beta as a normalised density (log p, a sampler, EM that learns
  beta, the closed form for circles);
- :mod:`lvebm.capacity`: the 2-D latent z = (z_r, z_t) with the penalty lambda (z_r - 1)^2, its
  exact F (zero everywhere at lambda = 0: the collapse), and its training by the energy, hinge
  and log losses;
- :mod:`lvebm.variational`: variational inference with von Mises q(z|y), F_q closed form, the best
  q*, an amortized variational encoder, the exact posterior and its sampler, each gap against
  the exact F_beta;
- the figures (matplotlib), from tables, one module per stage: :mod:`lvebm.figures` (the
  lecture's), :mod:`lvebm.relaxed_figures`, :mod:`lvebm.training_figures`,
  :mod:`lvebm.conditional_figures`, :mod:`lvebm.probabilistic_figures`,
  :mod:`lvebm.amortized_figures`, :mod:`lvebm.capacity_figures`,
  :mod:`lvebm.variational_figures`; :mod:`lvebm.figurekit` (the helpers they share) and
  :mod:`lvebm.plotstyle` (the style);
- :mod:`lvebm.pipeline.io` (deterministic Parquet) and :mod:`lvebm.pipeline.manifest` (the
  reproducibility check).
"""

from importlib import import_module

__version__ = "0.3.0"

# public name -> the module that defines it
_EXPORTS = {
    "Decoder": "model",
    "latent_grid": "model",
    "energy_table": "model",
    "sample_horn": "data",
    "sample_slice": "data",
    "radii": "data",
    "free_energy_exact": "exact",
    "free_energy_ellipses": "exact",
    "z_check_cos_sin": "exact",
    "minimize": "optimize",
    "InferenceResult": "optimize",
    "OPTIMIZERS": "optimize",
    "exhaustive": "optimize",
    "gradient_descent": "optimize",
    "line_search": "optimize",
    "conjugate_gradient": "optimize",
    "lbfgs": "optimize",
    "newton": "optimize",
    "infer": "inference",
    "mesh_points": "meshgrid",
    "free_energy_field": "mesh",
    "free_energy_relaxed": "relaxed",
    "train": "training",
    "Network": "network",
    "log_density": "probabilistic",
    "em": "probabilistic",
    "EMResult": "probabilistic",
    "encoder_network": "amortized",
    "fit_encoder": "amortized",
    "gap_table": "amortized",
    "target_propagation": "amortized",
    "TargetPropagation": "amortized",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    """Load the module defining ``name`` on first access (PEP 562)."""
    if name in _EXPORTS:
        value = getattr(import_module(f"lvebm.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lvebm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
