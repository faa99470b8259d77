"""`python -m bot` is the `tipbot` command."""

import sys

from bot.cli import main

sys.exit(main())
