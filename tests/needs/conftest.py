import pytest

from tests.factories import NeedFactory


@pytest.fixture
def need_a(cast):
    """A need of State A, the owner's and the colleague's State."""
    return NeedFactory(requesting_state=cast.owner.state, title="Witness protection programme for Kenya")


@pytest.fixture
def need_b(cast):
    """A need of State B, which only its focal point and the secretariat may see."""
    return NeedFactory(requesting_state=cast.focal_point_other_state.state, title="Asset recovery for France")
