"""Every workflow step on all three interfaces, generated from ``Step``: each interface's one
map names where the step is taken (API route, page form, CLI command), and that place is
really served (in the app's route table, or registered in the Typer app)."""

import pytest
from typer.main import get_command

from api.app import create_app
from api.cli import app as cli_app
from api.cli.workflow import STEP_COMMANDS
from api.pages.incidents import STEP_FORMS
from api.routes.incidents import STEP_ROUTES
from incidents.workflow import Step
from tests.security.test_route_matrix import app_routes


@pytest.fixture
def served(soc):
    return app_routes(create_app(soc, api_token="x"))


@pytest.mark.parametrize("step", list(Step), ids=str)
def test_the_step_has_a_served_api_route(step, served):
    assert step in STEP_ROUTES, f"no route takes {step}: add it to api.routes.incidents"
    assert ("POST", STEP_ROUTES[step]) in served


@pytest.mark.parametrize("step", list(Step), ids=str)
def test_the_step_has_a_served_page_form(step, served):
    assert step in STEP_FORMS, f"no page form takes {step}: add it to api.pages.incidents"
    assert ("POST", STEP_FORMS[step]) in served


@pytest.mark.parametrize("step", list(Step), ids=str)
def test_the_step_has_a_registered_cli_command(step):
    assert step in STEP_COMMANDS, f"no command takes {step}: add it to api.cli.workflow"
    group = get_command(cli_app).commands["incidents"]  # type: ignore[attr-defined]
    assert STEP_COMMANDS[step] in group.commands


def test_each_interface_takes_each_step_in_its_own_place():
    for table in (STEP_ROUTES, STEP_FORMS, STEP_COMMANDS):
        assert len(set(table.values())) == len(table) == len(Step)
