# The model (lecture 15-1): the decoder g(z) = [w1 cos z, w2 sin z] and the energies E_i(z) of
# each sample over the lecture's 48 latents (figures 3, 4 and 6). The stage in one file: its
# config check, its outputs, its rule, its figure records.

from lvebm.pipeline.config import holds
from lvebm.pipeline.jobgraph import LECTURE, SMALL_JOB, Figure

# The smallest |decoder weight|: tests/test_exact.py checks the exact solver against a brute force
# over 1e-3 <= |w1|, |w2| <= 1e3 (the schema's maximum), ratios up to 1e6 included.
MIN_WEIGHT = 1.0e-3
CONFIG_CHECKS += [
    holds(
        f"decoder.{name}",
        lambda cfg, name=name: MIN_WEIGHT <= abs(cfg["decoder"][name]),
        lambda cfg, name=name: (
            f"|{name}| must be at least {MIN_WEIGHT} (at most 1000): the range where the "
            "exact solver is tested; a zero weight makes the decoder degenerate"
        ),
    )
    for name in ("w1", "w2")
]
TARGETS += [PATHS["energies"]]


rule evaluate_energies:
    input:
        script=script_file("energy"),
        samples=PATHS["samples"],
        platform=PLATFORM_RECORD,
        library=library("model"),
    output:
        OUTPUTS["energies"],
    log:
        "logs/{point}evaluate_energies/energies.log",
    benchmark:
        "benchmarks/{point}evaluate_energies/energies.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        n=setting("latent.n"),
    script:
        "../scripts/energy.py"


FIGURES.update(
    {
        "03_graph": Figure("computation_graph", {}, (6.0, 4.6), LECTURE),
        "04_energies": Figure(
            "energies", {"energies": PATHS["energies"]}, (12.0, 7.0), LECTURE
        ),
        "06_latent": Figure(
            "latent_plane",
            {"samples": PATHS["samples"], "energies": PATHS["energies"]},
            (7.0, 5.0),
            LECTURE,
            {"focus": config["inference"]["focus"]},
        ),
    }
)
