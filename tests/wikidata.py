"""A second SPARQL server standing in for Wikidata, and the federated join the tests send it.

``oxigraph serve-read-only`` (from the PyPI package ``oxigraph``) holds a small Wikidata-shaped
slice written here: population (wdt:P1082) and inception (wdt:P571) for a few of the Wikidata
items our places are linked to with owl:sameAs.  The values are SYNTHETIC test constants, chosen
to be recognisable as such; they are not facts about these places.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support import ChildServer, free_port, oxigraph_command

WD = "http://www.wikidata.org/entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Synthetic values (population, inception) for the test's Wikidata-shaped slice: not facts.
SLICE = {
    "Q8686": (1111111, "1901-01-01T00:00:00Z"),  # linked from place:shanghai
    "Q4970": (222222, "1902-02-02T00:00:00Z"),  # linked from place:hangzhou
    "Q42651": (33333, "1903-03-03T00:00:00Z"),  # linked from place:wuxi
    "Q16963": (4444444, None),  # linked from place:jiangsu; no inception
    "Q90": (5555, "1905-05-05T00:00:00Z"),  # an item none of our entities links to
}


def slice_turtle() -> str:
    lines = [
        "@prefix wd: <http://www.wikidata.org/entity/> .",
        "@prefix wdt: <http://www.wikidata.org/prop/direct/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for qid, (population, inception) in SLICE.items():
        lines.append(f"wd:{qid} wdt:P1082 {population} .")
        if inception:
            lines.append(f'wd:{qid} wdt:P571 "{inception}"^^xsd:dateTime .')
    return "\n".join(lines) + "\n"


# Our places in the Yangtze River Delta, with the other server's values for their Wikidata items.
JOIN_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX schema: <https://schema.org/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX place: <https://w3id.org/shkg/id/place/>

SELECT ?place ?label ?item ?population ?inception WHERE {
  ?place schema:containedInPlace+ place:yangtze-river-delta ;
         rdfs:label ?label ;
         owl:sameAs ?item .
  FILTER(LANG(?label) = "en")
  %s
}
ORDER BY DESC(?population)
"""
THEIR_PART = "?item wdt:P1082 ?population . OPTIONAL { ?item wdt:P571 ?inception }"
# The full answer of the join: our places in the Yangtze River Delta whose Wikidata item the
# slice has a population for.
JOINED = [
    {
        "place": "https://w3id.org/shkg/id/place/jiangsu",
        "label": "Jiangsu",
        "item": WD + "Q16963",
        "population": "4444444",
    },
    {
        "place": "https://w3id.org/shkg/id/place/shanghai",
        "label": "Shanghai",
        "item": WD + "Q8686",
        "population": "1111111",
        "inception": "1901-01-01T00:00:00Z",
    },
    {
        "place": "https://w3id.org/shkg/id/place/hangzhou",
        "label": "Hangzhou",
        "item": WD + "Q4970",
        "population": "222222",
        "inception": "1902-02-02T00:00:00Z",
    },
    {
        "place": "https://w3id.org/shkg/id/place/wuxi",
        "label": "Wuxi",
        "item": WD + "Q42651",
        "population": "33333",
        "inception": "1903-03-03T00:00:00Z",
    },
]
# The same join with the other server's part sent to it by SERVICE (fill in its URL with %).
FEDERATED_QUERY = JOIN_QUERY % ("SERVICE <%s> { " + THEIR_PART + " }")


class Oxigraph(ChildServer):
    """`oxigraph serve-read-only` on 127.0.0.1 over a store loaded from ``data``; stopped by pid."""

    def __init__(self, directory: Path, data: str) -> None:
        command = oxigraph_command()
        turtle = directory / "slice.ttl"
        turtle.write_text(data, encoding="utf-8")
        location = directory / "store"
        subprocess.run(
            [command, "load", "--location", str(location), "--file", str(turtle)],
            check=True,
            capture_output=True,
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url = self.url + "/query"
        super().__init__(
            [
                command,
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            "/query?query=ASK%20%7B%7D",
            "oxigraph",
        )
