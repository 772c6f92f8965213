# The probabilistic reading of F_beta (src/lvebm/probabilistic.py): EM with beta learned on the
# samples, draws from the learned models, and the held-out likelihood of the trained decoders.


rule fit_em:
    input:
        samples=SAMPLES,
        platform=PLATFORM,
        library=library("probabilistic"),
    output:
        em=PROBABILISTIC.format(table="em"),
        samples=PROBABILISTIC.format(table="model_samples"),
    log:
        "logs/probabilistic/em.log",
    benchmark:
        "benchmarks/probabilistic/em.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        start=decoder_params(),
        beta=config["probabilistic"]["start_beta"],
        n=config["latent"]["n"],
        tol=config["probabilistic"]["tol"],
        max_iter=config["probabilistic"]["max_iter"],
        size=config["probabilistic"]["samples"],
        seed=config["seed"],
    script:
        "../scripts/fit_em.py"


rule held_out_likelihood:
    input:
        summary="results/training/summary.parquet",
        platform=PLATFORM,
        library=library("data", "probabilistic"),
    output:
        PROBABILISTIC.format(table="held_out"),
    log:
        "logs/probabilistic/held_out.log",
    benchmark:
        "benchmarks/probabilistic/held_out.tsv"
    conda:
        ENV
    resources:
        **SMALL_JOB,
    params:
        held_out=config["probabilistic"]["held_out"],
        x=config["data"]["slice"]["x"],
        sampler=data_params(),
        method=REFERENCE_METHOD,
    script:
        "../scripts/held_out_likelihood.py"
