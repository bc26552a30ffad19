"""A QGIS project (.qgz) beside the GeoPackage it opens: the contributions (points, lines,
areas, styled by theme), the communes and the perimeter, and the live OGC API - Features
collection of the project, in the CRS of the export, zoomed on the perimeter.

Written as QGIS's own XML (a .qgs zipped into a .qgz) from the styles of layers.exports.styles,
without QGIS: an export never needs QGIS installed. Paths are relative, so the project and
its GeoPackage can be moved together.
"""

import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from contributions.models import PartnerProject
from core.postgis import STORAGE_SRID
from layers.exports import partner_projects, styles
from layers.exports.geopackage import COMMUNES_COLOUR, KINDS, PERIMETER_COLOUR

QGIS_VERSION = "3.22.0"
GEOMETRY_NAMES = {"point": "Point", "line": "Line", "area": "Polygon"}
WKB_TYPES = {"point": "Point", "line": "LineString", "area": "Polygon"}


def _spatialrefsys(parent, srid: int):
    import pyproj

    crs = pyproj.CRS.from_epsg(srid)
    system = ET.SubElement(parent, "spatialrefsys")
    ET.SubElement(system, "wkt").text = crs.to_wkt()
    ET.SubElement(system, "srid").text = str(srid)
    ET.SubElement(system, "authid").text = f"EPSG:{srid}"
    ET.SubElement(system, "description").text = crs.name
    ET.SubElement(system, "projectionacronym").text = ""
    ET.SubElement(system, "ellipsoidacronym").text = ""
    ET.SubElement(system, "geographicflag").text = "true" if crs.is_geographic else "false"
    return system


def _style_children(style: ET.Element):
    """The style elements of a QML document (renderer, labels, map tip...) and its
    labelsEnabled flag, to go inside a project's <maplayer>."""
    return list(style), style.get("labelsEnabled", "0")


def _maplayer(parent, *, layer_id, name, source, provider, kind, srid, style, abstract=""):
    children, labels = _style_children(style)
    layer = ET.SubElement(
        parent,
        "maplayer",
        type="vector",
        geometry=GEOMETRY_NAMES[kind],
        wkbType=WKB_TYPES[kind],
        labelsEnabled=labels,
        hasScaleBasedVisibilityFlag="0",
        minScale="100000000",
        maxScale="0",
        styleCategories="AllStyleCategories",
    )
    ET.SubElement(layer, "id").text = layer_id
    ET.SubElement(layer, "datasource").text = source
    ET.SubElement(layer, "layername").text = name
    ET.SubElement(layer, "abstract").text = abstract
    _spatialrefsys(ET.SubElement(layer, "srs"), srid)
    ET.SubElement(layer, "provider", encoding="UTF-8").text = provider
    layer.extend(children)
    return layer


def _tree_layer(parent, *, layer_id, name, source, provider, checked=True):
    ET.SubElement(
        parent,
        "layer-tree-layer",
        id=layer_id,
        name=name,
        source=source,
        providerKey=provider,
        checked="Qt::Checked" if checked else "Qt::Unchecked",
        expanded="1",
    )


def write_qgis_project(
    output: Path,
    *,
    geopackage: Path,
    project,
    srid: int,
    language: str,
    base_url: str,
    description,
) -> None:
    with translation.override(language):
        document = _project_xml(
            geopackage=geopackage,
            project=project,
            srid=srid,
            language=language,
            base_url=base_url,
            description=description,
        )
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(output.with_suffix(".qgs").name, document)


def _project_xml(*, geopackage, project, srid, language, base_url, description) -> str:
    themes = styles.project_themes(project, language)
    root = ET.Element("qgis", projectname=description.title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = description.title
    _spatialrefsys(ET.SubElement(root, "projectCrs"), srid)
    tree = ET.SubElement(root, "layer-tree-group")
    layers = ET.SubElement(root, "projectlayers")
    order = []

    def add(group, *, name, source, provider, kind, style, abstract="", checked=True):
        layer_id = f"{name.replace(' ', '_')}_{uuid.uuid4().hex}"
        _tree_layer(
            group, layer_id=layer_id, name=name, source=source, provider=provider, checked=checked
        )
        _maplayer(
            layers,
            layer_id=layer_id,
            name=name,
            source=source,
            provider=provider,
            kind=kind,
            srid=srid if provider == "ogr" else STORAGE_SRID,
            style=style,
            abstract=abstract,
        )
        order.append(layer_id)

    titles = {
        "contributions_points": _("Contributions: points"),
        "contributions_lines": _("Contributions: lines"),
        "contributions_areas": _("Contributions: areas"),
    }
    file_name = f"./{geopackage.name}"
    group = ET.SubElement(
        tree,
        "layer-tree-group",
        name=_("Contributions (file)"),
        checked="Qt::Checked",
        expanded="1",
    )
    for table, kind in KINDS.items():
        add(
            group,
            name=titles[table],
            source=f"{file_name}|layername={table}",
            provider="ogr",
            kind=kind,
            style=styles.contributions_style(themes, kind),
            abstract=description.abstract,
        )
    live = ET.SubElement(
        tree,
        "layer-tree-group",
        name=_("Live: OGC API - Features"),
        checked="Qt::Unchecked",
        expanded="1",
    )
    ogc_url = base_url.rstrip("/") + "/ogc"
    add(
        live,
        name=_("Public contributions (live)"),
        source=f"url='{ogc_url}' typename='{project.slug}-contributions'",
        provider="OAPIF",
        kind="point",
        style=styles.contributions_style(themes, "point"),
        abstract=_("The project's public contributions, read live from its OGC API - Features."),
        checked=False,
    )
    if PartnerProject.objects.of_project(project).published().exists():
        add(
            tree,
            name=_("Partner projects put to the vote"),
            source=f"{file_name}|layername={partner_projects.LAYER}",
            provider="ogr",
            kind="point",
            style=partner_projects.partner_projects_style(),
        )
    add(
        tree,
        name=_("Communes"),
        source=f"{file_name}|layername=communes",
        provider="ogr",
        kind="area",
        style=styles.outline_style(colour=COMMUNES_COLOUR, width="0.26", label_field="name"),
    )
    add(
        tree,
        name=_("Perimeter"),
        source=f"{file_name}|layername=perimeter",
        provider="ogr",
        kind="area",
        style=styles.outline_style(colour=PERIMETER_COLOUR, width="0.8", label_field=None),
    )
    custom = ET.SubElement(tree, "custom-order", enabled="0")
    for layer_id in order:
        ET.SubElement(custom, "item").text = layer_id

    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas")
    ET.SubElement(canvas, "units").text = "degrees" if srid == STORAGE_SRID else "meters"
    extent = ET.SubElement(canvas, "extent")
    for tag, value in zip(
        ("xmin", "ymin", "xmax", "ymax"), _extent(description.bbox, srid), strict=True
    ):
        ET.SubElement(extent, tag).text = repr(value)
    ET.SubElement(canvas, "rotation").text = "0"
    _spatialrefsys(ET.SubElement(canvas, "destinationsrs"), srid)

    properties = ET.SubElement(root, "properties")
    # QGIS reads <projectCrs> only when the project says it uses projections.
    reference = ET.SubElement(properties, "SpatialRefSys")
    ET.SubElement(reference, "ProjectionsEnabled", type="int").text = "1"
    paths = ET.SubElement(properties, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    metadata = ET.SubElement(root, "projectMetadata")
    ET.SubElement(metadata, "identifier").text = project.slug
    ET.SubElement(metadata, "title").text = description.title
    ET.SubElement(metadata, "abstract").text = description.abstract
    ET.SubElement(metadata, "language").text = language
    ET.SubElement(metadata, "rights").text = description.licence
    ET.indent(root, space=" ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


def _extent(bbox, srid: int) -> tuple[float, float, float, float]:
    """The perimeter's WGS 84 bounding box in the project's CRS (a small margin around it)."""
    import pyproj

    west, south, east, north = bbox or (6.5, 43.6, 8.3, 44.7)
    transformer = pyproj.Transformer.from_crs(STORAGE_SRID, srid, always_xy=True)
    xmin, ymin, xmax, ymax = transformer.transform_bounds(west, south, east, north)
    margin_x, margin_y = (xmax - xmin) * 0.05, (ymax - ymin) * 0.05
    return xmin - margin_x, ymin - margin_y, xmax + margin_x, ymax + margin_y
