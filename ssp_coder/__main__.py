"""``python -m ssp_coder`` is the same as the ``ssp-coder`` command."""

import sys

from ssp_coder.cli import main

sys.exit(main())
