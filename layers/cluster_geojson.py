"""The clusters endpoint's GeoJSON: from the in-memory index straight to features, or from
the SQL path's clusters. Both give the same collection (tests compare them)."""

import numpy as np

from layers import grid, selectors


def collection(project, bounds, zoom, filters, *, version=None) -> tuple[dict, str]:
    """The FeatureCollection for a viewport and where it came from ("index" or "sql")."""
    capped_bounds, capped = selectors.cap(bounds, zoom)
    if version is not None and not any(vars(filters).values()):
        index = selectors.cluster_index.current(project, version)
        if index is not None:
            return _from_index(index, project, capped_bounds, capped, zoom), "index"
    # The index was asked above (and a rebuild started if need be): SQL alone from here.
    result = selectors.clusters(project, bounds, zoom, filters)
    return from_result(result), result.source


def _from_index(index, project, bounds, capped, zoom):
    """Features built from the index's arrays, without Cluster objects in between."""
    found, (xs, ys, ex0, ey0, ex1, ey1) = selectors.clipped_from_index(index, bounds, zoom)
    places = _rounded_lonlat(xs, ys, ex0, ey0, ex1, ey1)
    slugs, features, singles, missing = index.slugs, [], [], {}
    for kx, ky, count, themes, point, place in zip(
        found.kx.tolist(),
        found.ky.tolist(),
        found.count.tolist(),
        found.themes.tolist(),
        found.point.tolist(),
        places,
        strict=True,
    ):
        if count == 1:
            item = index.item(point)
            if item is None:  # a line or an area: its geometry from the database, below
                item = missing[index.ids[point].decode()] = {}
            singles.append((len(features), item))
            features.append(None)
            continue
        features.append(
            {
                "type": "Feature",
                "id": f"{zoom}/{kx}/{ky}",
                "geometry": {"type": "Point", "coordinates": place[:2]},
                "properties": {
                    "cluster": True,
                    "count": count,
                    "themes": {slug: n for slug, n in zip(slugs, themes, strict=True) if n},
                    "extent": place[2:],
                },
            }
        )
    for identifier, item in selectors.items_of(project, list(missing)).items():
        missing[identifier].update(item)
    for position, item in singles:
        features[position] = _single(item)
    return _wrap(zoom, bounds, capped, int(found.count.sum()), features)


def from_result(result) -> dict:
    """The collection of the SQL path's (or any) ClusterResult."""
    plain = [cluster for cluster in result.clusters if not cluster.item]
    columns = np.array([(c.x, c.y, *c.extent) for c in plain], dtype=float).T
    places = iter(_rounded_lonlat(*columns) if plain else [])
    features = []
    for cluster in result.clusters:
        if cluster.item:
            features.append(_single(cluster.item))
            continue
        place = next(places)
        features.append(
            {
                "type": "Feature",
                "id": f"{result.zoom}/{cluster.kx}/{cluster.ky}",
                "geometry": {"type": "Point", "coordinates": place[:2]},
                "properties": {
                    "cluster": True,
                    "count": cluster.count,
                    "themes": cluster.themes,
                    "extent": place[2:],
                },
            }
        )
    return _wrap(result.zoom, result.bounds, result.capped, result.total, features)


def _single(item):
    return {
        "type": "Feature",
        "id": item["id"],
        "geometry": item["geometry"],
        "properties": {
            "cluster": False,
            "count": 1,
            "id": item["id"],
            "kind": item["kind"],
            "theme": item["theme"],
            "title": item["title"],
        },
    }


def _wrap(zoom, bounds, capped, total, features):
    return {
        "type": "FeatureCollection",
        "zoom": zoom,
        "bbox": _lonlat_extent(bounds),
        "capped": capped,
        "numberMatched": total,
        "features": features,
    }


def _rounded_lonlat(xs, ys, west, south, east, north):
    """[lon, lat, west, south, east, north] per cluster, rounded to 6 decimals (about 10 cm;
    numpy's rounding, which may differ from Python's on a tie at the 7th decimal, keeps
    this fast)."""
    lon, lat = grid.to_lonlat_arrays(np.stack([xs, west, east]), np.stack([ys, south, north]))
    # rows: centre, south-west, north-east as (lon, lat) pairs
    return np.round(np.stack([lon, lat], axis=2).transpose(1, 0, 2).reshape(-1, 6), 6).tolist()


def _lonlat_extent(extent):
    lon0, lat0 = grid.to_lonlat(extent[0], extent[1])
    lon1, lat1 = grid.to_lonlat(extent[2], extent[3])
    return [round(lon0, 6), round(lat0, 6), round(lon1, 6), round(lat1, 6)]
