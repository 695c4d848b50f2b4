"""The HTTP application: the protocol, pages, query page, examples, caching, metrics, release "
"switching."""
