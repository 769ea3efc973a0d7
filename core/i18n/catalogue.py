"""How a language's catalogue is put together from its modules by concept."""

__all__ = ["merged"]


def merged(*parts: dict[str, str]) -> dict[str, str]:
    """The parts as one catalogue; a key in two parts is a mistake (one would silently win),
    so it fails at import."""
    catalogue: dict[str, str] = {}
    for part in parts:
        twice = catalogue.keys() & part.keys()
        if twice:
            raise ValueError(f"catalogue keys given twice: {sorted(twice)}")
        catalogue.update(part)
    return catalogue
