"""xrntx-guide: a step-by-step XR-naltrexone induction walkthrough with clinical gates."""

__version__ = "0.1.0"
