rule evaluate_energies:
    input:
        samples="results/data/samples.parquet",
        library=library("model"),
    output:
        "results/energy/energies.parquet",
    log:
        "logs/evaluate_energies/energies.log",
    benchmark:
        "benchmarks/evaluate_energies/energies.tsv"
    conda:
        ENV
    params:
        decoder=decoder_params(),
        n=config["latent"]["n"],
    script:
        "../scripts/evaluate_energies.py"
