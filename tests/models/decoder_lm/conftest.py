import pytest
from tiny_decoder_lm import make_tiny_model


@pytest.fixture
def tiny_model():
    return make_tiny_model()
