"""Answering a SPARQL request: the request model, the store protocol, lexing, evaluation,
result formats."""
