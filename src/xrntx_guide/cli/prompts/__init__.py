"""The walk's prompts, one module per kind: questions, timers, gates and commands.
The walk (cli/walkthrough.py) is the one class made of them."""
