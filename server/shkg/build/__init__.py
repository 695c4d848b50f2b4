"""Building a release: reading the project, checking it, inferring, loading, publishing."""
