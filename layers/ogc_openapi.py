"""The OpenAPI 3.0 description of the OGC API - Features endpoints (/ogc/api)."""

from layers import ogc_crs


def _param(name, description, schema, *, where="query", required=False, style=None):
    param = {"name": name, "in": where, "description": description, "required": required}
    param["schema"] = schema
    if style:
        param.update(style)
    return param


COLLECTION_ID = _param(
    "collectionId", "collection identifier", {"type": "string"}, where="path", required=True
)
FEATURE_ID = _param(
    "featureId", "feature identifier", {"type": "string"}, where="path", required=True
)
F = _param("f", "response format", {"type": "string", "enum": ["json", "html"]})
LIMIT = _param(
    "limit",
    "features per page",
    {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100},
)
OFFSET = _param("offset", "features to skip", {"type": "integer", "minimum": 0, "default": 0})
BBOX = _param(
    "bbox",
    "lower and upper corners in bbox-crs's axis order (CRS84 by default: "
    "minlon,minlat,maxlon,maxlat)",
    {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
    style={"style": "form", "explode": False},
)
# Part 2: the CRS URIs offered (EPSG:n, OGC:CRS84 and [EPSG:n] are read too).
CRS_SCHEMA = {"type": "string", "format": "uri", "enum": ogc_crs.URIS, "default": ogc_crs.CRS84_URI}
CRS = _param(
    "crs",
    "the CRS of the geometries returned (axes in its own order: EPSG:4326 is lat,lon)",
    CRS_SCHEMA,
)
BBOX_CRS = _param("bbox-crs", "the CRS bbox is given in", CRS_SCHEMA)
CONTENT_CRS = {
    "Content-Crs": {
        "description": "the CRS of the geometries, as <uri>",
        "schema": {"type": "string"},
    }
}
DATETIME = _param(
    "datetime", "an RFC 3339 instant or interval (start/end, '..' for open)", {"type": "string"}
)
LIST = {"type": "string", "description": "comma-separated values"}


def _json(description, media="application/json", headers=None):
    response = {"description": description, "content": {media: {"schema": {"type": "object"}}}}
    if headers:
        response["headers"] = headers
    return response


ERRORS = {
    "400": _json("invalid parameter"),
    "404": _json("not found"),
}


def document(base_url):
    items_params = [COLLECTION_ID, F, LIMIT, OFFSET, BBOX, BBOX_CRS, CRS, DATETIME]
    # Part 3: the queryables as query parameters (their values: /queryables).
    items_params += [
        _param(name, f"filter on {name} (see the collection's queryables)", LIST)
        for name in ("kind", "theme", "status", "outcome")
    ]
    # The partner projects' collections (layers.ogc_partner_projects): a partner's name.
    items_params.append(
        _param(
            "partner",
            "name of a partner (partner projects; see the collection's queryables)",
            {"type": "string", "maxLength": 200},
        )
    )
    items_params.append(
        _param(
            "commune",
            "official code of a commune (see the collection's queryables)",
            {"type": "string", "maxLength": 32},
        )
    )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Participatory mapping - OGC API - Features",
            "version": "1.0.0",
            "description": "Published contributions and territories in force.",
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            "/": {
                "get": {
                    "operationId": "getLandingPage",
                    "parameters": [F],
                    "responses": {"200": _json("landing page"), **ERRORS},
                }
            },
            "/conformance": {
                "get": {
                    "operationId": "getConformance",
                    "parameters": [F],
                    "responses": {"200": _json("conformance classes"), **ERRORS},
                }
            },
            "/api": {
                "get": {
                    "operationId": "getAPI",
                    "parameters": [F],
                    "responses": {"200": _json("this document"), **ERRORS},
                }
            },
            "/collections": {
                "get": {
                    "operationId": "getCollections",
                    "parameters": [F],
                    "responses": {"200": _json("collections"), **ERRORS},
                }
            },
            "/collections/{collectionId}": {
                "get": {
                    "operationId": "describeCollection",
                    "parameters": [COLLECTION_ID, F],
                    "responses": {"200": _json("a collection"), **ERRORS},
                }
            },
            "/collections/{collectionId}/queryables": {
                "get": {
                    "operationId": "getQueryables",
                    "parameters": [COLLECTION_ID, F],
                    "responses": {
                        "200": _json("the queryables, a JSON Schema", "application/schema+json"),
                        **ERRORS,
                    },
                }
            },
            "/collections/{collectionId}/items": {
                "get": {
                    "operationId": "getFeatures",
                    "parameters": items_params,
                    "responses": {
                        "200": _json("features", "application/geo+json", CONTENT_CRS),
                        **ERRORS,
                    },
                }
            },
            "/collections/{collectionId}/items/{featureId}": {
                "get": {
                    "operationId": "getFeature",
                    "parameters": [COLLECTION_ID, FEATURE_ID, F, CRS],
                    "responses": {
                        "200": _json("a feature", "application/geo+json", CONTENT_CRS),
                        **ERRORS,
                    },
                }
            },
        },
    }
