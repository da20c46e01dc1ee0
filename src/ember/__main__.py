"""``python -m ember``: the same as the ``ember`` command."""

import sys

from ember.cli.main import main

sys.exit(main())
