# The free energy on the mesh (lecture 15-1): F_inf, z_check and the gradient of F at every mesh
# point with mesh.method, in shards gathered into one table, and the highlighted points with
# their energy curves (figures 8 to 11). The stage in one file: its config checks, the values
# its rules pass, its outputs, its rules, its figure records.

from lvebm.methods import METHODS
from lvebm.meshgrid import mesh_size
from lvebm.pipeline.config import holds, less
from lvebm.pipeline.jobgraph import (
    LECTURE,
    SECONDS_PER_POINT_ITERATIVE,
    SMALL_JOB,
    Figure,
    keep,
    shard_runtime,
)

CONFIG_CHECKS += [
    *(less(f"mesh.{axis}.start", f"mesh.{axis}.stop") for axis in ("y1", "y2")),
    holds(
        "mesh.max_points",
        lambda cfg: mesh_size(cfg["mesh"]["y1"], cfg["mesh"]["y2"])
        <= cfg["mesh"]["max_points"],
        lambda cfg: (
            "the mesh has mesh.y1.num x mesh.y2.num = "
            f"{mesh_size(cfg['mesh']['y1'], cfg['mesh']['y2'])} points, more than this cap; "
            "the mesh jobs' memory, disk and time grow with it: raise mesh.max_points on "
            "purpose to run it"
        ),
    ),
    holds(
        "mesh.shards",
        lambda cfg: cfg["mesh"]["shards"]
        <= mesh_size(cfg["mesh"]["y1"], cfg["mesh"]["y2"]),
        lambda cfg: (
            "must be at most the "
            f"{mesh_size(cfg['mesh']['y1'], cfg['mesh']['y2'])} mesh points"
        ),
    ),
    less("mesh.curve.start_pi", "mesh.curve.stop_pi", name="mesh.curve.stop_pi"),
]

# The mesh method and, for an optimizer, its start and options.
MESH_METHOD = per_point(
    lambda cfg: {
        "method": cfg["mesh"]["method"],
        **(
            {"options": OPTIONS.of(cfg)[cfg["mesh"]["method"]]}
            if cfg["mesh"]["method"] != "exact"
            else {}
        ),
        **(
            {"z_init": cfg["inference"]["z_init"]}
            if METHODS[cfg["mesh"]["method"]].iterative
            else {}
        ),
    }
)
# Seconds a shard may take per point, by method (about 5x the measured costs).
SECONDS_PER_POINT = {"exact": 1e-6, "exhaustive": 2e-6, "newton": 5e-6}
SHARD_RUNTIME = per_point(
    lambda cfg: shard_runtime(
        SHARDS.of(cfg),
        SECONDS_PER_POINT.get(cfg["mesh"]["method"], SECONDS_PER_POINT_ITERATIVE),
    )
)
# the energy curves through the highlighted points
HIGHLIGHT_CURVE = per_point(
    lambda cfg: {
        "z_start": Z_RANGE.of(cfg)[0],
        "z_stop": Z_RANGE.of(cfg)[1],
        "step": MARKER_STEP.of(cfg),
        "oversample": cfg["mesh"]["curve"]["oversample"],
    }
)
TARGETS += [PATHS["mesh"], PATHS["highlight"]]
HEADLINE_TABLES["mesh"] = {"free_energy": PATHS["mesh"]}


rule free_energy_mesh:
    input:
        script=script_file("mesh"),
        platform=PLATFORM_RECORD,
        library=library("model", "exact", "linesearch", "optimize", "mesh", "meshgrid"),
    output:
        temp(PATHS["mesh_shard"]),
    log:
        "logs/{point}free_energy_mesh/{scatteritem}.log",
    benchmark:
        "benchmarks/{point}free_energy_mesh/{scatteritem}.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=CHUNK_MEM_MB,
        runtime=lambda w: SHARD_RUNTIME(w)[w.scatteritem],
    params:
        decoder=DECODER,
        mesh=MESH_AXES,
        shard=lambda w: SHARDS(w)[w.scatteritem],
        method=MESH_METHOD,
        chunk=setting("mesh.chunk"),
    script:
        "../scripts/mesh.py"


rule gather_free_energy_mesh:
    input:
        script=script_file("gather_shards"),
        shards=gather.mesh(keep(PATHS["mesh_shard"], "point")),
        platform=PLATFORM_RECORD,
        library=library(),
    output:
        OUTPUTS["mesh"],
    log:
        "logs/{point}gather_free_energy_mesh/free_energy.log",
    benchmark:
        "benchmarks/{point}gather_free_energy_mesh/free_energy.tsv"
    localrule: True
    conda:
        ENV
    params:
        points=MESH_POINTS,
    script:
        "../scripts/gather_shards.py"


rule highlight_points:
    input:
        script=script_file("mesh"),
        platform=PLATFORM_RECORD,
        library=library("model", "exact", "linesearch", "optimize", "mesh", "meshgrid"),
    output:
        OUTPUTS["highlight"],
    log:
        "logs/{point}highlight_points/highlight.log",
    benchmark:
        "benchmarks/{point}highlight_points/highlight.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        decoder=DECODER,
        points=setting("mesh.highlight"),
        curve=HIGHLIGHT_CURVE,
    script:
        "../scripts/mesh.py"


FIGURES.update(
    {
        "08_mesh": Figure(
            "mesh_minimisers",
            {"mesh": PATHS["mesh"], "energies": PATHS["energies"]},
            (7.5, 5.2),
            LECTURE,
            {"decoder": DECODER.main, "max_points": config["figures"]["max_points"]},
        ),
        "09_highlight": Figure(
            "highlighted",
            {
                "mesh": PATHS["mesh"],
                "energies": PATHS["energies"],
                "highlight": PATHS["highlight"],
            },
            (7.5, 5.2),
            LECTURE,
            {"max_points": config["figures"]["max_points"]},
        ),
        "10_highlight_energies": Figure(
            "highlighted_energies",
            {"highlight": PATHS["highlight"]},
            (9.0, 5.0),
            LECTURE,
            {"z_range": Z_RANGE.main},
        ),
        "11_free_energy": Figure(
            "free_energy_map",
            {"mesh": PATHS["mesh"], "samples": PATHS["samples"]},
            (8.5, 5.2),
            LECTURE,
            {
                "vmax": config["figures"]["vmax"],
                "max_arrows": config["figures"]["max_arrows"],
            },
        ),
    }
)
