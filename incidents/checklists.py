"""Task checklists per incident category: the YAML files in ``incidents/checklists/`` (one
per ``IncidentCategory`` value, and ``default.yaml`` for an incident without a category or
a file of its own), loaded and checked here, and instantiated on an incident.

A file that does not fit is a ConfigError naming the file, the key and its line, so a
city editing a checklist learns where its mistake is before any incident uses it.
"""

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import ConfigError
from incidents.models import ChecklistTask, Incident, IncidentCategory

__all__ = [
    "CHECKLIST_DIR",
    "DEFAULT",
    "Checklist",
    "TaskTemplate",
    "checklist_for",
    "instantiate",
    "load_checklists",
]

CHECKLIST_DIR = Path(__file__).with_name("checklists")
DEFAULT = "default"  # the file (without .yaml) for incidents without a category of their own
_TASK_ID = r"^[a-z0-9][a-z0-9-]{0,62}$"


class TaskTemplate(BaseModel):
    """A task as a checklist file names it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_TASK_ID)
    zh: str = Field(min_length=1, max_length=300)
    en: str = Field(min_length=1, max_length=300)


class Checklist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tasks: list[TaskTemplate] = Field(min_length=1)

    @field_validator("tasks")
    @classmethod
    def _unique_ids(cls, tasks: list[TaskTemplate]) -> list[TaskTemplate]:
        seen: set[str] = set()
        for task in tasks:
            if task.id in seen:
                raise ValueError(f"task id {task.id!r} appears twice")
            seen.add(task.id)
        return tasks


def _line_of(root: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (as deep as the document goes)."""
    node = root
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = [v for k, v in node.value if getattr(k, "value", None) == key]
            node = found[0] if found else None
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if key < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _load_one(path: Path) -> Checklist:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"checklist {name}{where}: not YAML: {exc.problem}", location=name
        ) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"checklist {name}: cannot read it: {exc}", location=name) from None
    try:
        return Checklist.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [k for k in first["loc"] if isinstance(k, int | str)]
        key = ".".join(str(k) for k in loc) or "(the document)"
        line = _line_of(root, loc)
        raise ConfigError(
            f"checklist {name}, key {key}{f' (line {line})' if line else ''}: {first['msg']}",
            location=f"{name}:{key}",
        ) from None


def load_checklists(folder: Path = CHECKLIST_DIR) -> dict[str, Checklist]:
    """Every checklist in ``folder`` by file name: a category's value, or ``default``
    (required). A file named after no category is refused, as it would never be used."""
    names = {c.value for c in IncidentCategory} | {DEFAULT}
    found: dict[str, Checklist] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.stem not in names:
            raise ConfigError(
                f"checklist {path.name}: no incident category is called {path.stem!r} "
                f"(the files are {', '.join(sorted(names))})",
                location=path.name,
            )
        found[path.stem] = _load_one(path)
    if DEFAULT not in found:
        raise ConfigError(f"{folder} has no {DEFAULT}.yaml", location=str(folder))
    return found


@functools.cache
def _shipped() -> Mapping[str, Checklist]:
    return load_checklists()


def checklist_for(
    category: IncidentCategory | None, checklists: Mapping[str, Checklist] | None = None
) -> Checklist:
    """The checklist of an incident of ``category`` (the shipped files unless given)."""
    found = _shipped() if checklists is None else checklists
    return found.get(category.value if category else DEFAULT) or found[DEFAULT]


def instantiate(
    incident: Incident, checklists: Mapping[str, Checklist] | None = None
) -> list[ChecklistTask]:
    """The incident's tasks for its category now: the category's tasks in its file's order,
    each keeping its state if the incident had it; tasks already done under an earlier
    category stay at the end (work done is never lost), open ones of it are dropped."""
    had = {t.id: t for t in incident.tasks}
    tasks = [
        had.get(t.id, ChecklistTask(id=t.id, title_zh=t.zh, title_en=t.en))
        for t in checklist_for(incident.category, checklists).tasks
    ]
    current = {t.id for t in tasks}
    return tasks + [t for t in incident.tasks if t.id not in current and t.done_at is not None]
