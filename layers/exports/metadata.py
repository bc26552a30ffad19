"""What an export says about itself: the dataset's metadata (title, abstract, licence, date,
source, contact, CRS), kept by the GeoPackage in gpkg_metadata (GDAL and `ogrinfo` show it
as the dataset's metadata), and an ISO 19115 / INSPIRE-style record (ISO 19139 XML) written
beside an open-data export."""

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.i18n import localized

ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
LICENCE_URLS = {"ODbL-1.0": ODBL_URL, "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/"}
ISO_LANGUAGES = {"fr": "fre", "it": "ita", "en": "eng"}


@dataclass(frozen=True)
class ExportDescription:
    title: str
    abstract: str
    licence: str
    date: str
    source: str
    contact: str
    srid: int
    crs_name: str
    count: int
    language: str
    keywords: tuple[str, ...]
    bbox: tuple[float, float, float, float] | None  # WGS 84 west, south, east, north
    fmt_label: str


def describe(
    project,
    *,
    public: bool,
    srid: int,
    crs_name: str,
    count: int,
    language: str,
    fmt_label: str,
    filters_text: str,
) -> ExportDescription:
    with translation.override(language):
        name = localized(project.title, language) or project.slug
        site = settings.SITE_NAME or settings.SITE_URL
        if public:
            title = _("Public contributions: %(project)s") % {"project": name}
            abstract = _(
                "The public contributions (proposals, reports of problems, observations) made "
                "by residents to the participatory project %(project)s, as moderated and "
                "published on the map, at their public location. Unpublished and hidden "
                "contributions, emails and authors are not included."
            ) % {"project": name}
            licence = project.open_data_licence or "ODbL-1.0"
        else:
            title = _("Contributions (staff export): %(project)s") % {"project": name}
            abstract = _(
                "Every contribution to the participatory project %(project)s, whatever its "
                "status, at its exact location, with the moderation state, the email and "
                "the author: personal data, for the project's staff only."
            ) % {"project": name}
            licence = _("Internal use only: holds personal data (GDPR); do not publish.")
        if filters_text:
            abstract += " " + _("Filters: %(filters)s.") % {"filters": filters_text}
        keywords = tuple(
            localized(theme.name, language) or theme.slug
            for theme in project.themes.order_by("position", "slug")
        )
    bbox = None
    if project.perimeter_id and project.perimeter.geom is not None:
        west, south, east, north = project.perimeter.geom.extent
        bbox = (west, south, east, north)
    return ExportDescription(
        title=title,
        abstract=abstract,
        licence=licence,
        date=timezone.now().replace(microsecond=0).isoformat(),
        source=f"{settings.SITE_URL}/p/{project.slug}/",
        contact=f"{settings.SITE_NAME or site} <{settings.DEFAULT_FROM_EMAIL}>",
        srid=int(srid),
        crs_name=crs_name,
        count=count,
        language=language,
        keywords=keywords,
        bbox=bbox,
        fmt_label=fmt_label,
    )


def gdal_metadata(description: ExportDescription) -> dict[str, str]:
    """The dataset's metadata items, as ogr2ogr's -mo sets them."""
    return {
        "TITLE": description.title,
        "ABSTRACT": description.abstract,
        "LICENSE": description.licence,
        "DATE": description.date,
        "SOURCE": description.source,
        "CONTACT": description.contact,
        "CRS": f"EPSG:{description.srid} ({description.crs_name})",
        "LANGUAGE": description.language,
        "FEATURES": str(description.count),
    }


# ----------------------------------------------------------------- ISO 19115 (ISO 19139)

GMD = "http://www.isotc211.org/2005/gmd"
GCO = "http://www.isotc211.org/2005/gco"
GMX = "http://www.isotc211.org/2005/gmx"
XLINK = "http://www.w3.org/1999/xlink"
for prefix, uri in (("gmd", GMD), ("gco", GCO), ("gmx", GMX), ("xlink", XLINK)):
    ET.register_namespace(prefix, uri)


def _g(tag):
    return f"{{{GMD}}}{tag}"


def _string(parent, tag, text):
    element = ET.SubElement(parent, _g(tag))
    ET.SubElement(element, f"{{{GCO}}}CharacterString").text = str(text)
    return element


def _code(parent, tag, list_name, value):
    element = ET.SubElement(parent, _g(tag))
    ET.SubElement(
        element,
        _g(list_name),
        codeList=f"http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#{list_name}",
        codeListValue=value,
    ).text = value
    return element


def _contact(parent, tag, description: ExportDescription):
    party = ET.SubElement(ET.SubElement(parent, _g(tag)), _g("CI_ResponsibleParty"))
    _string(party, "organisationName", description.contact.split(" <")[0])
    info = ET.SubElement(ET.SubElement(party, _g("contactInfo")), _g("CI_Contact"))
    address = ET.SubElement(ET.SubElement(info, _g("address")), _g("CI_Address"))
    _string(address, "electronicMailAddress", settings.DEFAULT_FROM_EMAIL)
    _code(party, "role", "CI_RoleCode", "pointOfContact")


def iso19115_xml(description: ExportDescription, file_name: str) -> str:
    """An ISO 19115 record (ISO 19139 encoding) with the elements INSPIRE asks of a dataset:
    title, abstract, contact, date, keywords, licence and access, extent, CRS, lineage."""
    root = ET.Element(_g("MD_Metadata"))
    _string(root, "fileIdentifier", str(uuid.uuid5(uuid.NAMESPACE_URL, description.source)))
    language = ISO_LANGUAGES.get(description.language, "eng")
    _code(root, "language", "LanguageCode", language)
    _code(root, "characterSet", "MD_CharacterSetCode", "utf8")
    _code(root, "hierarchyLevel", "MD_ScopeCode", "dataset")
    _contact(root, "contact", description)
    stamp = ET.SubElement(root, _g("dateStamp"))
    ET.SubElement(stamp, f"{{{GCO}}}DateTime").text = description.date
    _string(root, "metadataStandardName", "ISO 19115:2003/19139")
    _string(root, "metadataStandardVersion", "1.0")
    reference = ET.SubElement(
        ET.SubElement(ET.SubElement(root, _g("referenceSystemInfo")), _g("MD_ReferenceSystem")),
        _g("referenceSystemIdentifier"),
    )
    identifier = ET.SubElement(reference, _g("RS_Identifier"))
    code = ET.SubElement(identifier, _g("code"))
    ET.SubElement(
        code,
        f"{{{GMX}}}Anchor",
        {f"{{{XLINK}}}href": f"http://www.opengis.net/def/crs/EPSG/0/{description.srid}"},
    ).text = f"EPSG:{description.srid}"
    _string(identifier, "codeSpace", "EPSG")

    info = ET.SubElement(ET.SubElement(root, _g("identificationInfo")), _g("MD_DataIdentification"))
    citation = ET.SubElement(ET.SubElement(info, _g("citation")), _g("CI_Citation"))
    _string(citation, "title", description.title)
    date = ET.SubElement(ET.SubElement(citation, _g("date")), _g("CI_Date"))
    ET.SubElement(ET.SubElement(date, _g("date")), f"{{{GCO}}}DateTime").text = description.date
    _code(date, "dateType", "CI_DateTypeCode", "publication")
    _string(info, "abstract", description.abstract)
    _contact(info, "pointOfContact", description)
    keywords = ET.SubElement(ET.SubElement(info, _g("descriptiveKeywords")), _g("MD_Keywords"))
    for keyword in (*description.keywords, "participatory mapping"):
        _string(keywords, "keyword", keyword)
    access = ET.SubElement(
        ET.SubElement(info, _g("resourceConstraints")), _g("MD_LegalConstraints")
    )
    _code(access, "accessConstraints", "MD_RestrictionCode", "otherRestrictions")
    _string(access, "otherConstraints", "no limitations to public access")
    use = ET.SubElement(ET.SubElement(info, _g("resourceConstraints")), _g("MD_LegalConstraints"))
    _code(use, "useConstraints", "MD_RestrictionCode", "license")
    licence = description.licence
    _string(use, "otherConstraints", f"{licence} {LICENCE_URLS.get(licence, '')}".strip())
    _code(info, "spatialRepresentationType", "MD_SpatialRepresentationTypeCode", "vector")
    _code(info, "language", "LanguageCode", language)
    category = ET.SubElement(info, _g("topicCategory"))
    ET.SubElement(category, _g("MD_TopicCategoryCode")).text = "planningCadastre"
    if description.bbox:
        extent = ET.SubElement(ET.SubElement(info, _g("extent")), _g("EX_Extent"))
        box = ET.SubElement(
            ET.SubElement(extent, _g("geographicElement")), _g("EX_GeographicBoundingBox")
        )
        for tag, value in zip(
            (
                "westBoundLongitude",
                "southBoundLatitude",
                "eastBoundLongitude",
                "northBoundLatitude",
            ),
            description.bbox,
            strict=True,
        ):
            ET.SubElement(ET.SubElement(box, _g(tag)), f"{{{GCO}}}Decimal").text = f"{value:.6f}"

    distribution = ET.SubElement(ET.SubElement(root, _g("distributionInfo")), _g("MD_Distribution"))
    fmt = ET.SubElement(ET.SubElement(distribution, _g("distributionFormat")), _g("MD_Format"))
    _string(fmt, "name", description.fmt_label)
    _string(fmt, "version", "")
    online = ET.SubElement(
        ET.SubElement(
            ET.SubElement(
                ET.SubElement(distribution, _g("transferOptions")), _g("MD_DigitalTransferOptions")
            ),
            _g("onLine"),
        ),
        _g("CI_OnlineResource"),
    )
    linkage = ET.SubElement(online, _g("linkage"))
    ET.SubElement(linkage, _g("URL")).text = description.source
    _string(online, "name", file_name)

    quality = ET.SubElement(ET.SubElement(root, _g("dataQualityInfo")), _g("DQ_DataQuality"))
    scope = ET.SubElement(ET.SubElement(quality, _g("scope")), _g("DQ_Scope"))
    _code(scope, "level", "MD_ScopeCode", "dataset")
    lineage = ET.SubElement(ET.SubElement(quality, _g("lineage")), _g("LI_Lineage"))
    _string(
        lineage,
        "statement",
        f"Contributions placed on the map by residents and moderated by the project's staff; "
        f"{description.count} features, exported {description.date} in EPSG:{description.srid} "
        f"({description.crs_name}).",
    )
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def write_iso19115(path: Path, description: ExportDescription, file_name: str) -> None:
    path.write_text(iso19115_xml(description, file_name), encoding="utf-8")
