"""``python -m mixdown``."""

from mixdown.cli import main

main()
