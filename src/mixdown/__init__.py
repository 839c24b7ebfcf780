"""mixdown: a self-hosted AI music and audio API server."""

__version__ = "0.1.0"
