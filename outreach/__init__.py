"""Partnership outreach for VET providers, after the guide "Building Partnerships in VET"."""

__version__ = "0.1.0"
