"""``ember.backends.cudnn``: settable flags with no effect (there is no cuDNN); see the package."""

enabled = True
deterministic = False
benchmark = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> None:
    """None, as PyTorch answers without cuDNN."""
    return None
