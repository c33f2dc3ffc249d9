"""`python -m ivb_analysis` is the same as `ivb`."""

import sys

from ivb_analysis.cli import main

sys.exit(main())
