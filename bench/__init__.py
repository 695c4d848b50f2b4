"""The benchmark of our server against `oxigraph serve-read-only` and rdflib-endpoint."""
