"""`python -m pipeline` is the same program as `partner-archive`."""

import sys

from .cli import main

sys.exit(main())
