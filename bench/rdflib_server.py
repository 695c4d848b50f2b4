"""The Python peer: rdflib-endpoint over the release's N-Quads, default graph the union.

Run as ``python -m bench.rdflib_server --data shkg.nq.gz --port 8001``.  The whole dataset is
parsed into an rdflib ``Dataset`` with ``default_union=True``, so that, as on our endpoint and
on ``oxigraph serve-read-only --union-default-graph``, a query without GRAPH sees every
named graph.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import rdflib
import uvicorn
from rdflib_endpoint import SparqlEndpoint


def load_dataset(path: Path) -> rdflib.Dataset:
    dataset = rdflib.Dataset(default_union=True)
    data = path.read_bytes()
    dataset.parse(data=gzip.decompress(data) if path.suffix == ".gz" else data, format="nquads")
    return dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="N-Quads file (.nq or .nq.gz)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = SparqlEndpoint(
        graph=load_dataset(args.data), path="/sparql", title="rdflib-endpoint peer of the benchmark"
    )
    # As uvicorn's defaults, with its per-request access log off (ours is measured with its
    # own JSON access log on, since that is how it is deployed; rdflib-endpoint has none).
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
