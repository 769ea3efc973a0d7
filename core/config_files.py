"""Loading the YAML configuration files (agencies, scan targets, exposure policy) with one
kind of error: ConfigError naming the file and every entry at fault."""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from core.errors import ConfigError

__all__ = ["load_yaml_model"]

M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: Path, model: type[M], what: str) -> M:
    """Read ``path`` as YAML and validate it as ``model``. Raises ConfigError."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the {what}: {exc}", location=str(path)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"the {what} is not valid YAML: {exc}", location=str(path)) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"the {what} is invalid: {problems}", location=str(path)) from exc
