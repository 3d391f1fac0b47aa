"""What OPTIONS says of an endpoint: its name, description and formats, not a form of its fields.

DRF's SimpleMetadata builds the serializer of every method the caller may use to describe its
fields; a push endpoint has none (its records are checked by the import service) and answered
OPTIONS with a server error. The fields of every endpoint are in the OpenAPI document
(/api/schema/), which is where clients look.
"""

from __future__ import annotations

from rest_framework.metadata import SimpleMetadata


class Metadata(SimpleMetadata):
    def determine_metadata(self, request, view) -> dict:
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        metadata["schema"] = "/api/schema/"
        return metadata

    def determine_actions(self, request, view) -> dict:
        return {}
