"""What a resource or the dataset looks like: RDF descriptions, HTML pages, VoID, the service
description."""
