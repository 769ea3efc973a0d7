"""core.first_run without the pages: concurrent posts of the right code make exactly one
administrator, and the code itself never shows in a repr."""

from concurrent.futures import ThreadPoolExecutor

from core.errors import ConflictError
from core.first_run import FirstRunCode, create_first_admin
from tests.factories import PASSWORD


def test_concurrent_redemptions_make_one_administrator(soc):
    code = FirstRunCode.issue(soc.clock)

    def attempt(n: int) -> str:
        try:
            create_first_admin(
                store=soc.store,
                registry=soc.registry,
                code=code,
                given_code=code.shown(),
                username=f"root{n}",
                password=PASSWORD,
                clock=soc.clock,
            )
        except ConflictError:
            return "refused"
        return "created"

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(attempt, range(4)))
    assert outcomes == ["created", "refused", "refused", "refused"]
    assert len(soc.store.accounts.users()) == 1


def test_the_code_stays_out_of_its_repr(soc):
    code = FirstRunCode.issue(soc.clock)
    assert code.shown() not in repr(code) and code.shown().replace("-", "") not in repr(code)
