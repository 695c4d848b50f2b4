"""Shanghai Industry Knowledge Graph: build, validate and serve linked data read from news
articles."""

__version__ = "0.1.0"
