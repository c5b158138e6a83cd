import pytest

from guatu.projects.models import ChainKind
from guatu.projects.services import chain_create


@pytest.fixture
def chain(world):
    """The world county's antimony chain: its chief is the world's leader, led by the development office."""
    return chain_create(
        jurisdiction=world.city, name="锑产业链", kind=ChainKind.MAIN, chief=world.leader, lead_unit=world.drc
    )


@pytest.fixture
def other_chain(world):
    """A chain of another county, which the world's people must never see."""
    from guatu.testing import make_other_county

    other = make_other_county()
    return chain_create(jurisdiction=other.county, name="锑产业链", kind=ChainKind.AUXILIARY, lead_unit=other.town)
