"""``python -m xrntx_guide``."""

from xrntx_guide.cli import main

main()
