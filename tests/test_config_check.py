"""The schema check's record of configs that passed: a config checked before is not checked
again (no jsonschema import), and nothing else ever skips the check."""

import json
import subprocess
import sys

import pytest
import yaml
from support import ROOT

from lvebm.pipeline import config as C

SCHEMA = str(ROOT / "workflow/schemas/config.schema.yaml")


def default_config() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text())


def checked(cfg: dict, cwd) -> tuple[dict, bool]:
    """The config after check_schema in a fresh process in ``cwd``, and whether that process
    imported jsonschema (it did the check itself)."""
    script = (
        "import json, sys\n"
        "from lvebm.pipeline.config import check_schema\n"
        f"cfg = json.loads({json.dumps(json.dumps(cfg))})\n"
        f"check_schema(cfg, {SCHEMA!r})\n"
        "print(json.dumps([cfg, 'jsonschema' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, check=True
    )
    filled, imported = json.loads(out.stdout)
    return filled, imported


def test_a_config_that_passed_is_filled_in_from_its_record_without_jsonschema(tmp_path):
    cfg = default_config()
    del cfg["mesh"]["shards"]  # a default the check fills in
    first, imported = checked(cfg, tmp_path)
    assert imported and isinstance(first["mesh"]["shards"], int)
    assert len(list((tmp_path / C.CHECKED_CONFIGS).glob("*.json"))) == 1
    again, imported = checked(cfg, tmp_path)
    assert not imported and again == first
    assert list(again) == list(first)  # the order of the keys too
    cfg["seed"] = 710  # another config: checked, and recorded beside the first
    _, imported = checked(cfg, tmp_path)
    assert imported and len(list((tmp_path / C.CHECKED_CONFIGS).glob("*.json"))) == 2


def test_a_config_that_fails_is_never_recorded_and_the_key_covers_what_decides(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    cfg = default_config()
    cfg["mesh"]["shards"] = 0
    with pytest.raises(C.ConfigError, match=r"mesh\.shards"):
        C.check_schema(dict(cfg), SCHEMA)
    assert not (tmp_path / C.CHECKED_CONFIGS).exists()
    good = default_config()
    key = C.check_key(good, SCHEMA)
    assert key == C.check_key(default_config(), SCHEMA)
    reordered = dict(reversed(list(good.items())))
    assert C.check_key(reordered, SCHEMA) != key  # the filled config keeps the given order
    other_schema = tmp_path / "schema.yaml"
    other_schema.write_text((ROOT / "workflow/schemas/config.schema.yaml").read_text() + "\n")
    assert C.check_key(good, str(other_schema)) != key
    assert C.check_key({"a": object()}, SCHEMA) is None  # not JSON: checked every time
