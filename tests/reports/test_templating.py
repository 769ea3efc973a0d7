"""The one Jinja environment that pages and reports share."""

import pytest
from jinja2 import UndefinedError

from reports.templating import FOLDERS, environment


def test_pages_and_reports_share_no_template_name():
    """One namespace over both folders: a name in both would hide one of them."""
    pages, reports = ({p.name for p in folder.glob("*.j2")} for folder in FOLDERS)
    assert pages and reports and not pages & reports


def test_an_undefined_name_is_an_error_not_an_empty_string():
    with pytest.raises(UndefinedError):
        environment().from_string("{{ missing }}").render()


def test_text_is_escaped_and_the_limits_are_known():
    html = environment().from_string("{{ x }} {{ limits.TEXT }}").render(x="<b>")
    assert html.startswith("&lt;b&gt; ") and html.split()[-1].isdigit()
