import pytest
from tiny_multi_net import clip_batch, token_batch


@pytest.fixture
def clips():
    return clip_batch(3)


@pytest.fixture
def tokens():
    return token_batch(3)
