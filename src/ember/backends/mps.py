"""``ember.backends.mps``: Apple's Metal backend is not available in ember."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
