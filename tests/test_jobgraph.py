"""The job graph's storage helpers without a storage: what the target rule names and where the
provenance crate's files go, with stand-ins for Snakemake's storage settings and provider (the
real ones: tests/test_storage.py and tests/test_slurm.py, slow)."""

from pathlib import Path
from types import SimpleNamespace

from lvebm.pipeline.jobgraph import checked_in_storage
from lvebm.pipeline.provenance import StorageMirror

PATHS = ["results/data/horn.parquet", "./results//figures/01_horn.png"]


def settings(provider=None, prefix=None):
    return SimpleNamespace(default_storage_provider=provider, default_storage_prefix=prefix)


def test_on_a_shared_filesystem_the_targets_are_the_paths():
    called = []
    got = checked_in_storage(iter(PATHS), settings(), lambda *a, **k: called.append(a))
    assert got == PATHS and called == []


def test_with_a_default_storage_the_targets_are_objects_below_the_prefix_not_retrieved():
    calls = []

    def storage(query, **flags):
        calls.append((query, flags))
        return query

    got = checked_in_storage(PATHS, settings("s3", "s3://bucket/run/"), storage)
    assert got == [
        "s3://bucket/run/results/data/horn.parquet",
        "s3://bucket/run/results/figures/01_horn.png",
    ]
    assert all(flags == {"retrieve": False} for _, flags in calls)


class Provider:
    """A stand-in for a storage provider: objects whose local copy is below local_prefix."""

    local_prefix = Path(".snakemake/storage/s3")

    def object(self, query):
        key = query.removeprefix("s3://")
        return SimpleNamespace(query=query, local_path=lambda: self.local_prefix / key)


def test_the_crate_of_a_storage_run_lives_in_the_local_copy_of_the_prefixs_results():
    mirror = StorageMirror(Provider(), "s3://bucket/run/")
    assert mirror.local("results") == Path(".snakemake/storage/s3/bucket/run/results")
    assert mirror.local("results/report/config.yaml") == Path(
        ".snakemake/storage/s3/bucket/run/results/report/config.yaml"
    )


def test_the_mirror_fetches_only_missing_copies_below_results_and_stores_what_it_is_given(
    tmp_path,
):
    fetched, stored = [], []

    class Bucket(Provider):
        local_prefix = tmp_path

        def object(self, query):
            obj = super().object(query)
            obj.exists = lambda: not query.endswith("gone.parquet")
            obj.retrieve_object = lambda: (fetched.append(query), obj.local_path().write_text("x"))
            obj.store_object = lambda: stored.append(query)
            return obj

    mirror = StorageMirror(Bucket(), "s3://bucket/run")
    results = mirror.local("results")
    (results / "data").mkdir(parents=True)
    (results / "data/held.parquet").write_text("here")
    (results / "shards").mkdir()
    (results / "shards/gone.parquet").write_text("a temporary file's kept copy")
    names = ["data/held.parquet", "data/remote.parquet", "figures/gone.parquet"]
    names.append("shards/gone.parquet")
    mirror.fetch_below(results, [str(results / n) for n in names] + [str(tmp_path / "logs/a.log")])
    assert fetched == ["s3://bucket/run/results/data/remote.parquet"]
    assert (results / "data/remote.parquet").read_text() == "x"
    assert (results / "data/held.parquet").read_text() == "here"
    assert not (results / "shards/gone.parquet").exists()  # gone from the storage: not listed
    mirror.store(results, [results / "ro-crate-metadata.json"])
    assert stored == ["s3://bucket/run/results/ro-crate-metadata.json"]


def test_the_point_constraint_matches_exactly_the_points():
    """The factored (trie) pattern of the point wildcard matches the run's points and nothing
    else, on random sets of words over the characters a point has."""
    import random
    import re

    from lvebm.pipeline.jobgraph import point_pattern

    rng = random.Random(0)
    alphabet = "ab/~1."
    for _ in range(2000):
        words = {"".join(rng.choices(alphabet, k=rng.randint(0, 5))) for _ in range(6)}
        pattern = re.compile(point_pattern(words) + "$")
        candidates = {"".join(rng.choices(alphabet, k=rng.randint(0, 6))) for _ in range(30)}
        for word in candidates | words:
            assert bool(pattern.match(word)) == (word in words), (sorted(words), word)
