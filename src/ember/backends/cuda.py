"""``ember.backends.cuda``: ember is built without CUDA."""


def is_built() -> bool:
    return False
