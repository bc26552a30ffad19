"""Writes to territories: imports from GIS files, upserts by code, perimeters as unions."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from core.postgis import METRIC_SRID, STORAGE_SRID
from territories import readers
from territories.models import Territory, TerritoryKind, TerritoryName
from territories.readers import BoundaryFileError
from territories.signals import territory_superseded

NAME_FIELDS = ("name", "nom", "nom_com", "libelle", "denominazione", "comune", "nome")
CODE_FIELDS = ("code", "insee", "insee_com", "code_insee", "com_istat_code", "pro_com_t", "istat")
POPULATION_FIELDS = ("population", "population_municipale", "pop", "popolazione")
POPULATION_YEAR_FIELDS = ("population_year", "annee_population", "anno_popolazione")


@dataclass
class FieldMap:
    """Which attribute of the file holds what; None means guess from common names."""

    name: str | None = None
    code: str | None = None
    population: str | None = None
    population_year: str | None = None
    kind: str | None = None
    country: str | None = None
    parent: str | None = None


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self):
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, repaired {len(self.repaired)}, "
            f"skipped {len(self.skipped)}"
        )


def read_population_csv(path, code_column=None, population_column=None):
    """{code: population} from a CSV keyed by official code."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        lowered = {c.lower(): c for c in columns}
        code_column = code_column or next((lowered[c] for c in CODE_FIELDS if c in lowered), None)
        population_column = population_column or next(
            (lowered[c] for c in POPULATION_FIELDS if c in lowered), None
        )
        for wanted in (code_column, population_column):
            if wanted not in columns:
                raise BoundaryFileError(
                    "unknown_field",
                    f"{path} has no column {wanted!r}; its columns are: {', '.join(columns)}.",
                )
        populations = {}
        for row in reader:
            value = (row[population_column] or "").replace(" ", "")
            if value.isdigit():
                populations[row[code_column].strip()] = int(value)
        return populations


@transaction.atomic
def import_territories(
    *,
    path: Path,
    kind: str = TerritoryKind.COMMUNE,
    fields: FieldMap | None = None,
    layer: str | None = None,
    srid: int | None = None,
    country: str = "",
    parent_code: str | None = None,
    populations: dict[str, int] | None = None,
    population_year: int | None = None,
    progress=None,
) -> ImportReport:
    """Upserts every polygon feature of a GIS file as a territory, by official code.

    The population's reference year comes from the file's field, else `population_year`
    (say it when the populations come from a CSV of one year).

    Nothing is written when the file as a whole is unusable (BoundaryFileError).
    """
    fields = fields or FieldMap()
    _source, gdal_layer = readers.open_layer(path, layer)
    readers.check_fields(gdal_layer, vars(fields))
    name_field = fields.name or readers.guess_field(gdal_layer, NAME_FIELDS)
    code_field = fields.code or readers.guess_field(gdal_layer, CODE_FIELDS)
    population_field = fields.population or readers.guess_field(gdal_layer, POPULATION_FIELDS)
    year_field = fields.population_year or readers.guess_field(gdal_layer, POPULATION_YEAR_FIELDS)
    for option, found in (("--name-field", name_field), ("--code-field", code_field)):
        if not found:
            raise BoundaryFileError(
                "unknown_field",
                f"Cannot tell which field holds the {option[2:6]}; give it with {option} "
                f"(fields: {', '.join(gdal_layer.fields)}).",
            )
    if kind not in TerritoryKind.values and not fields.kind:
        raise BoundaryFileError("unknown_kind", f"Unknown kind {kind!r}: {TerritoryKind.values}.")
    transform = readers.transform_to_storage(gdal_layer, srid)
    features = list(readers.read_features(gdal_layer, transform))
    if not any(f.geom is not None for f in features):
        reasons = sorted({f.problem for f in features}) or ["the file has no features"]
        raise BoundaryFileError(
            "no_polygons", f"{path} holds no usable polygon ({'; '.join(reasons)})."
        )
    fixed_parent = _current(parent_code) if parent_code else None
    report = ImportReport()
    for feature in progress(features) if progress else features:
        attrs = feature.attrs
        code = _text(attrs.get(code_field))
        name = _text(attrs.get(name_field)) or code
        label = f"{name or '?'} ({code or 'no code'}, feature {feature.number})"
        if feature.geom is None:
            report.skipped.append((label, feature.problem))
            continue
        if not code:
            report.skipped.append((label, f"no code in field {code_field!r}"))
            continue
        feature_kind = _text(attrs.get(fields.kind)) if fields.kind else kind
        if feature_kind not in TerritoryKind.values:
            report.skipped.append((label, f"unknown kind {feature_kind!r}"))
            continue
        population = _integer(attrs.get(population_field)) if population_field else None
        year = _integer(attrs.get(year_field)) if year_field else None
        if populations and code in populations:
            population, year = populations[code], None
        year = year or (population_year if population is not None else None)
        parent = _current(_text(attrs.get(fields.parent))) if fields.parent else fixed_parent
        outcome, _territory = upsert_territory(
            kind=feature_kind,
            code=code,
            name=name,
            geom=feature.geom,
            country=(_text(attrs.get(fields.country)) if fields.country else country).upper(),
            population=population,
            population_year=year,
            parent=parent,
            source=Path(path).name,
        )
        getattr(report, outcome).append(label)
        if feature.repaired:
            report.repaired.append(label)
    return report


@transaction.atomic
def upsert_territory(
    *,
    kind: str,
    code: str,
    name: str,
    geom: GEOSGeometry,
    country: str = "",
    population: int | None = None,
    population_year: int | None = None,
    parent: Territory | None = None,
    source: str = "",
    slug: str | None = None,
) -> tuple[str, Territory]:
    """Creates, updates in place (same boundary) or supersedes (new boundary) a territory.

    `slug` is derived from the name and code unless given. Returns
    ("created" | "updated" | "unchanged", territory).
    """
    existing = Territory.objects.current().select_for_update().filter(kind=kind, code=code).first()
    if existing is None:
        territory = Territory(
            kind=kind,
            code=code,
            name=name,
            slug=slug or _free_slug(name, code),
            geom=geom,
            country=country,
            population=population,
            population_year=population_year,
            parent=parent,
            source=source,
        )
        territory.full_clean()
        territory.save()
        return "created", territory

    wanted = {
        "name": name,
        "country": country or existing.country,
        "population": population if population is not None else existing.population,
        # The year goes with the figure: a new figure without a year has none.
        "population_year": population_year if population is not None else existing.population_year,
        "parent": parent or existing.parent,
        "source": source or existing.source,
    }
    # Normalised: the database stores rings as RFC 7946 orients them (territories 0009), a
    # file may give them the other way round; that is the same boundary.
    if existing.geom.normalize(clone=True).equals_exact(geom.normalize(clone=True), tolerance=1e-9):
        changed = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
        if not changed:
            return "unchanged", existing
        for attribute, value in changed.items():
            setattr(existing, attribute, value)
        existing.full_clean()
        existing.save(update_fields=[*changed, "updated_at"])
        return "updated", existing

    # A new boundary: close the old generation, keep it for what was attributed to it.
    existing.valid_until = timezone.now()
    existing.save(update_fields=["valid_until", "updated_at"])
    successor = Territory(
        kind=kind,
        code=code,
        slug=existing.slug,
        geom=geom,
        generation=existing.generation + 1,
        **wanted,
    )
    successor.full_clean()
    successor.save()
    # The perimeters it belonged to now hold the new generation: attribution and every
    # per-commune table read the members, and must see the boundary in force.
    Territory.members.through.objects.filter(to_territory=existing).update(to_territory=successor)
    territory_superseded.send(sender=Territory, old=existing, new=successor)
    return "updated", successor


class PerimeterError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@transaction.atomic
def build_perimeter(
    *,
    slug: str,
    name: str,
    codes: list[str],
    member_kind: str = TerritoryKind.COMMUNE,
    close_gaps_m: float = 100.0,
    fill_holes_km2: float = 2.0,
) -> tuple[str, Territory]:
    """A perimeter territory as the union of current territories, slivers and gaps dissolved."""
    if slugify(slug) != slug:
        raise PerimeterError(
            "invalid_slug", f"{slug!r} is not a slug: use lowercase letters, digits and hyphens."
        )
    taken = Territory.objects.current().filter(slug=slug).exclude(kind=TerritoryKind.PERIMETER)
    if taken.exists():
        raise PerimeterError("slug_taken", f"The slug {slug!r} is already used by {taken.first()}.")
    codes = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not codes:
        raise PerimeterError("no_codes", "Give at least one territory code.")
    members = list(Territory.objects.current().of_kind(member_kind).with_codes(codes))
    missing = sorted(set(codes) - {m.code for m in members})
    if missing:
        raise PerimeterError(
            "unknown_codes",
            f"No current {member_kind} has the code(s): {', '.join(missing)}. "
            "Import them first with import_territories.",
        )
    geom = _dissolve([m.pk for m in members], close_gaps_m, fill_holes_km2 * 1e6)
    populations = [m.population for m in members]
    years = {m.population_year for m in members}
    outcome, perimeter = upsert_territory(
        kind=TerritoryKind.PERIMETER,
        code=slug,
        name=name,
        geom=geom,
        country=_shared(m.country for m in members),
        population=sum(populations) if None not in populations else None,
        # A sum of figures from different years has no one year.
        population_year=years.pop() if len(years) == 1 and None not in populations else None,
        source=f"union of {len(members)} {member_kind} territories",
        slug=slug,
    )
    if set(perimeter.members.values_list("pk", flat=True)) != {m.pk for m in members}:
        perimeter.members.set(members)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome, perimeter


def _dissolve(territory_ids, close_gaps_m, fill_holes_m2):
    # Union, then a morphological closing in metres (buffer out, then in): it removes the
    # slivers and narrow gaps where boundary sources of two countries do not meet exactly.
    # Holes smaller than fill_holes_m2 are gaps left by simplified sources, not enclaves.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH closed AS (
                SELECT ST_MakeValid(ST_Transform(
                    ST_Buffer(ST_Buffer(ST_Transform(ST_Union(geom), %(metric)s),
                                        %(d)s, 'quad_segs=8'),
                              -%(d)s, 'quad_segs=8'),
                    %(storage)s)) AS geom
                FROM territories_territory WHERE id = ANY(%(ids)s)
            ),
            -- The closing's arcs are chords that can shave a member's convex corners by
            -- centimetres: the members themselves are unioned back in.
            covering AS (
                SELECT ST_Union(closed.geom, members.geom) AS geom FROM closed,
                (SELECT ST_Union(geom) AS geom FROM territories_territory
                 WHERE id = ANY(%(ids)s)) AS members
            ),
            parts AS (SELECT (ST_Dump(ST_CollectionExtract(geom, 3))).geom AS g FROM covering)
            SELECT ST_AsEWKB(ST_Multi(ST_Union(ST_MakePolygon(
                ST_ExteriorRing(g),
                ARRAY(SELECT ST_InteriorRingN(g, n)
                      FROM generate_series(1, ST_NumInteriorRings(g)) AS n
                      WHERE ST_Area(ST_MakePolygon(ST_InteriorRingN(g, n))::geography)
                            >= %(min_hole)s)
            ))))
            FROM parts
            """,
            {
                "ids": territory_ids,
                "d": close_gaps_m,
                "min_hole": fill_holes_m2,
                "metric": METRIC_SRID,
                "storage": STORAGE_SRID,
            },
        )
        (ewkb,) = cursor.fetchone()
    return GEOSGeometry(memoryview(ewkb))


def _current(code):
    if not code:
        return None
    return Territory.objects.current().filter(code=code).order_by("area_m2").first()


def _free_slug(name, code):
    base = slugify(f"{name}-{code}")[:200] or slugify(code) or "territory"
    slug, n = base, 1
    while Territory.objects.current().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _shared(values):
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else ""


def _text(value):
    return "" if value is None else str(value).strip()


def _integer(value):
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@transaction.atomic
def import_names(*, path: Path, kind: str = TerritoryKind.COMMUNE) -> int:
    """Other names of territories from a CSV (`code`, `language`, `name`, optional `note`):
    official names with their article, exonyms. Upserted by code, language and name; returns
    how many rows the file holds. Nothing is written when a row is unusable."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "language", "name"} - set(reader.fieldnames or [])
        if missing:
            raise BoundaryFileError(
                "unknown_field",
                f"{path} lacks the column(s) {', '.join(sorted(missing))}; "
                "it needs code, language, name (and may give a note).",
            )
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        code, language, name = (_text(row.get(key)) for key in ("code", "language", "name"))
        if not (code and language and name) or len(language) > 8 or len(name) > 200:
            raise BoundaryFileError(
                "invalid_row", f"{path}, line {number}: a code, a language and a name are needed."
            )
        TerritoryName.objects.update_or_create(
            kind=kind,
            code=code,
            language=language.lower(),
            name=name,
            defaults={"note": _text(row.get("note"))[:200]},
        )
    return len(rows)
