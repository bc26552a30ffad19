"""The per-commune table: counts by kind and theme, per 1,000 inhabitants, votes, answers.

"Answered" means the contribution has an official answer date (answered_at) or a status that
is itself an answer (accepted, planned, done, rejected); the share is answered / total.
Every commune of the perimeter has a row, those without contributions too, keyed by its
official code (contributions attributed to an older boundary generation count with the current
one). Contributions attributed to no commune of the perimeter (on its edge, within its
tolerance, or in a commune since removed from it) are `outside`: counted in the summary, whose
breakdowns add them, so every breakdown sums to the total.
"""

import json
from dataclasses import dataclass

from contributions.models import Kind
from core.escaping import SpreadsheetWriter
from layers.diagnostic.queries import Scope, add_counts, communes, empty_counts, per_commune


def theme_column(slug: str) -> str:
    return "theme_" + slug.replace("-", "_")


def kind_column(kind: str) -> str:
    return f"kind_{kind}"


@dataclass
class AreaTable:
    columns: list[str]
    rows: list[dict]  # one per commune, in code order, with "geometry" (GeoJSON) aside
    geometries: list[dict]
    outside: dict  # the contributions attributed to no commune of the perimeter

    def as_frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)


def per_1000(count: int, population) -> float | None:
    return round(count * 1000 / population, 3) if population else None


def build(scope: Scope, themes: list[dict]) -> AreaTable:
    stats = per_commune(scope)
    theme_columns = [(t["id"], theme_column(t["slug"])) for t in themes]
    columns = [
        "code",
        "name",
        "country",
        "population",
        "population_year",
        "contributions",
        *(kind_column(k) for k in Kind.values),
        *(name for _id, name in theme_columns),
        "per_1000_inhabitants",
        "votes",
        "answered",
        "answered_share",
    ]
    rows, geometries = [], []
    members = communes(scope.project)
    for commune in members:
        entry = stats.get(commune["code"], empty_counts())
        total = entry["total"]
        row = {
            "code": commune["code"],
            "name": commune["name"],
            "country": commune["country"],
            "population": commune["population"],
            "population_year": commune["population_year"],
            "contributions": total,
            **{kind_column(k): entry["kinds"][k] for k in Kind.values},
            **{name: entry["themes"].get(tid, 0) for tid, name in theme_columns},
            "per_1000_inhabitants": per_1000(total, commune["population"]),
            "votes": entry["votes"],
            "answered": entry["answered"],
            "answered_share": round(entry["answered"] / total, 4) if total else None,
        }
        rows.append(row)
        geometries.append(commune["geom"])
    codes = {commune["code"] for commune in members}
    outside = empty_counts()
    for code, entry in stats.items():
        if code not in codes:
            add_counts(outside, entry)
    return AreaTable(columns, rows, geometries, outside)


def write_csv(table: AreaTable, path) -> None:
    """The table for a spreadsheet: a name that reads as a formula is written as text."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = SpreadsheetWriter(stream)
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow("" if row[k] is None else row[k] for k in table.columns)


def write_geojson(table: AreaTable, path, *, name: str) -> None:
    """RFC 7946 GeoJSON (WGS 84), the communes' full boundaries."""
    collection = {
        "type": "FeatureCollection",
        "name": name,
        "features": [
            {"type": "Feature", "id": row["code"], "properties": row, "geometry": geometry}
            for row, geometry in zip(table.rows, table.geometries, strict=True)
        ],
    }
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(collection, stream, ensure_ascii=False, separators=(",", ":"))
