# The conditional horn (lecture 15-2, section 3): f(x) gives the ellipse's radii at each x. One
# job trains the latent model and the regression baseline; one evaluates them on the x grid, on
# held-out horn samples and on the meshes of figure 26.


rule train_conditional:
    input:
        platform=PLATFORM,
        library=library("data", "model", "exact", "conditional"),
    output:
        params="results/conditional/params.parquet",
        trajectory="results/conditional/trajectory.parquet",
    log:
        "logs/conditional/train.log",
    benchmark:
        "benchmarks/conditional/train.tsv"
    # a long job: started first, so that no core waits for it at the end (2 cores)
    priority: 1
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        network=conditional_network(),
        samples=conditional_samples("train"),
        init_seed=config["conditional"]["init_seed"],
        weight_decay=config["conditional"]["weight_decay"],
        schedule=config["conditional"]["schedule"],
    script:
        "../scripts/train_conditional.py"


rule evaluate_conditional:
    input:
        params="results/conditional/params.parquet",
        platform=PLATFORM,
        library=library("data", "model", "exact", "conditional"),
    output:
        radii="results/conditional/radii.parquet",
        free_energy="results/conditional/free_energy.parquet",
        maps="results/conditional/maps.parquet",
    log:
        "logs/conditional/evaluate.log",
    benchmark:
        "benchmarks/conditional/evaluate.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        network=conditional_network(),
        held_out=conditional_samples("held_out"),
        x=config["conditional"]["x"],
        alpha=config["data"]["alpha"],
        beta=config["data"]["beta"],
        maps={key: config["conditional"]["maps"][key] for key in ("x", "num", "margin")},
    script:
        "../scripts/evaluate_conditional.py"
