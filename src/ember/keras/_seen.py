"""What the process has seen so far, so that the training step skips work nothing needs: until a
regularizer is made or ``add_loss`` is called no model walks its layers for losses, and until a
Keras mask exists no layer or loss looks for one."""


class Seen:
    regularizers = False
    added_losses = False
    masks = False
