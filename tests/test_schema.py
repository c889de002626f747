"""The published JSON Schema: current, and it accepts the shipped content and flags mistakes
the way an editor (VS Code YAML, which reads YAML 1.2 types) would show them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from perfsite.builder import schema_files

from conftest import CONTENT, MINIMAL, ROOT


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "schema" / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_current():
    for name, text in schema_files().items():
        assert (ROOT / "schema" / name).read_text(encoding="utf-8") == text, f"run `perfsite schema` ({name})"


@pytest.mark.parametrize("path", sorted((CONTENT / "2022").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_projects_match_the_schema(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(validator("project.schema.json").iter_errors(data)) == []


def test_site_config_matches_the_schema():
    data = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))
    assert list(validator("site.schema.json").iter_errors(data)) == []


@pytest.mark.parametrize("old, new", [("资金总额: 10", "资金总额: 十万"), ("资金总额: 10", "资金总额度: 10"),
                                      ("id: test-project", "id: Test Project"), ("  资金来源", "  单位: 美元\n  资金来源")])
def test_schema_flags_mistakes_in_the_editor(old: str, new: str):
    data = yaml.safe_load(MINIMAL.replace(old, new))
    assert list(validator("project.schema.json").iter_errors(data)) != []
