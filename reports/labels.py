"""The label catalogue moved to ``core.i18n``."""

# Removed once the api/ split merges (issue 13): api/web.py and api/cli.py still import it.
from core.i18n import LABELS, Lang, labels

__all__ = ["LABELS", "Lang", "labels"]
