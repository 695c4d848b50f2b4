"""Where queries run: the pool of worker processes, a remote SPARQL backend, rate limits."""
