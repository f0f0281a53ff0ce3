"""Reading knowledge-base files: YAML with typed validation and errors that name the entry."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from tousu.knowledge.errors import KnowledgeBaseError
from tousu.yaml_files import load_yaml

M = TypeVar("M", bound=BaseModel)


def data_dir() -> Path:
    """The knowledge base shipped with the package."""
    return Path(str(resources.files("tousu.knowledge") / "data"))


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return load_yaml(fh)
    except FileNotFoundError:
        raise KnowledgeBaseError(path.name, "-", "文件不存在 (file is missing)") from None
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(path.name, "-", f"YAML 语法错误: {exc}") from None


def parse_entries(path: Path, key: str, model: type[M], *, id_field: str) -> list[M]:
    """Parse the list under `key` into `model`, refusing duplicates of `id_field`."""
    doc = read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        raise KnowledgeBaseError(path.name, key, f"顶层必须有列表 '{key}' (expected a list under '{key}')")
    entries: list[M] = []
    seen: set[str] = set()
    for index, raw in enumerate(doc[key]):
        label = str(raw.get(id_field, f"#{index + 1}")) if isinstance(raw, dict) else f"#{index + 1}"
        try:
            entry = model.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
            raise KnowledgeBaseError(path.name, label, problems) from None
        ident = str(getattr(entry, id_field))
        if ident in seen:
            raise KnowledgeBaseError(path.name, ident, f"重复的 {id_field} (duplicate {id_field})")
        seen.add(ident)
        entries.append(entry)
    return entries
