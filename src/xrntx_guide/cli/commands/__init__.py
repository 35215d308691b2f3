"""The commands, a module per group; :mod:`xrntx_guide.cli.app` registers them.

Thin: parse options, call the core, render, map results to exit codes. Screens, the
session store, reports and rich are imported inside the commands that use them:
`check --json` and the other machine-readable paths start without them.
"""
