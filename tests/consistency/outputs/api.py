"""The machine interfaces: the REST list, clusters, vector tiles, OGC API, Open311."""

import json

import mapbox_vector_tile

from contributions.models import Kind
from open311.selectors import MAX_REQUESTS, OPEN_STATUSES
from open311.serializer import CLOSED_STATUSES
from tests.consistency.outputs.common import (
    DATES,
    body,
    by_code,
    inclusive_end,
    instant,
    ok,
    only,
    query,
)
from tests.consistency.truth import Figures
from tests.layers.test_tiles import tile_of

# Far enough around the perimeter that a public location moved by a location rule stays in.
MARGIN = 0.05
CLUSTER_ZOOM = 7  # the whole territory in one low-zoom view
BBOX_CLUSTER_ZOOM = 10
TILE_ZOOM = 9  # clusters (below POINTS_FROM_ZOOM), a few dozen tiles over the perimeter


def around(project):
    west, south, east, north = project.perimeter.geom.extent
    return (west - MARGIN, south - MARGIN, east + MARGIN, north + MARGIN)


def api_number_matched(client, project, filters):
    response = client.get(
        f"/api/projects/{project.slug}/contributions/", {**query(filters), "limit": 1}
    )
    return Figures(ok(response).json()["numberMatched"])


def api_features(client, project, filters):
    url = f"/api/projects/{project.slug}/contributions/"
    page = ok(client.get(url, {**query(filters), "limit": 10_000})).json()
    assert page["next"] is None
    properties = [feature["properties"] for feature in page["features"]]
    return Figures(
        len(properties),
        votes=sum(p["vote_count"] for p in properties),
        communes=by_code(p["commune"] for p in properties),
    )


def clusters(client, project, filters):
    """The clusters' counts over one viewport: the filter's bbox, else the whole territory."""
    viewport = filters.bbox or around(project)
    zoom = BBOX_CLUSTER_ZOOM if filters.bbox else CLUSTER_ZOOM
    params = {**query(filters, bbox=False), "bbox": ",".join(map(str, viewport)), "zoom": zoom}
    collection = ok(client.get(f"/api/projects/{project.slug}/clusters/", params)).json()
    assert not collection["capped"]
    return Figures(sum(f["properties"]["count"] for f in collection["features"]))


def tiles(client, project, filters):
    if filters.bbox:
        return None  # a tile's own extent is its box; the bbox parameter is not a tile's
    west, south, east, north = around(project)
    z, x0, y0 = tile_of(west, north, TILE_ZOOM)
    _z, x1, y1 = tile_of(east, south, TILE_ZOOM)
    total = 0
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            response = client.get(f"/tiles/{project.slug}/{z}/{x}/{y}.pbf", query(filters))
            if response.status_code == 204:
                continue
            layers = mapbox_vector_tile.decode(ok(response).content)
            features = layers.get("contributions", {}).get("features", [])
            total += sum(f["properties"]["count"] for f in features)
    return Figures(total)


def ogc_items(client, project, filters):
    if filters.text:
        return None  # its queryables are commune, kind, theme, status (with bbox, datetime; no q)
    params = {
        name: value
        for name, value in query(filters).items()
        if name in ("commune", "kind", "theme", "status", "bbox")
    }
    if filters.created_after or filters.created_before:
        start = instant(filters.created_after) if filters.created_after else ".."
        end = inclusive_end(filters.created_before) if filters.created_before else ".."
        params["datetime"] = f"{start}/{end}"
    url = f"/ogc/collections/{project.slug}-contributions/items"
    return Figures(ok(client.get(url, {**params, "limit": 1})).json()["numberMatched"])


def open311_requests(client, project, filters):
    # GeoReport v2 serves reports only, by service (theme), open/closed status and dates.
    if filters.kinds != [Kind.REPORT] or not only(filters, "kinds", "themes", "statuses", *DATES):
        return None
    params = {
        "service_code": ",".join(
            f"{project.slug}.{theme}"
            for theme in filters.themes or project.themes.values_list("slug", flat=True)
        ),
        # Without dates GeoReport answers the last 90 days.
        "start_date": instant(filters.created_after) if filters.created_after else "2000-01-01",
    }
    if filters.created_before:
        params["end_date"] = inclusive_end(filters.created_before)
    if filters.statuses:
        wanted = set(filters.statuses)
        spelled = {
            frozenset(OPEN_STATUSES): "open",
            frozenset(CLOSED_STATUSES): "closed",
            frozenset(OPEN_STATUSES) | frozenset(CLOSED_STATUSES): "open,closed",
        }.get(frozenset(wanted))
        if spelled is None:
            return None  # statuses that are not exactly "open" or "closed"
        params["status"] = spelled
    requests = json.loads(body(client.get("/open311/v2/requests.json", params)))
    assert len(requests) < MAX_REQUESTS
    return Figures(len(requests))
