"""The kit's version, recorded with every saved answer."""

__version__ = "0.1.0"
