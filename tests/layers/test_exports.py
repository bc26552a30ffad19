"""manage.py export_layer: every format read back with ogrinfo, CRSs, types, privacy."""

import io
import re
import sqlite3
import subprocess

import pyproj
import pytest
from django.core.management import CommandError, call_command

from contributions.models import PUBLIC_STATUSES, Contribution, Result, Status
from contributions.selectors import ContributionFilters, public_contributions

# GDAL's tools come with `make test` (gdal-bin): without them these tests fail, never skip.
pytestmark = pytest.mark.django_db
SECRET_EMAIL = "resident.secret@example.org"


@pytest.fixture(scope="module")
def prepared(demo, django_db_blocker):
    """Committed changes (ogr2ogr reads through its own connection, outside the test's
    transaction): an email and an author on a public item, some items hidden, some awaiting
    moderation."""
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock():
        author = get_user_model().objects.create_user("export-author", password=None)
        ids = list(
            Contribution.objects.filter(project=demo)
            .order_by("created_at", "id")
            .values_list("id", flat=True)
        )
        with_email, hidden, submitted = ids[0], ids[1:6], ids[6:9]
        Contribution.objects.filter(pk=with_email).update(
            email=SECRET_EMAIL, author=author, status=Status.PUBLISHED
        )
        Contribution.objects.filter(pk__in=hidden).update(status=Status.HIDDEN)
        Contribution.objects.filter(pk__in=submitted).update(status=Status.SUBMITTED)
    yield {
        "email": str(with_email),
        "hidden": [str(i) for i in hidden],
        "submitted": [str(i) for i in submitted],
    }
    with django_db_blocker.unblock():
        author.delete()


def export(path, fmt, srid, *args, **options):
    out = io.StringIO()
    call_command(
        "export_layer",
        "--project",
        "piter-alpimed",
        "--format",
        fmt,
        "--srid",
        str(srid),
        "--output",
        str(path),
        "--no-progress",
        *args,
        stdout=out,
        **options,
    )
    return out.getvalue()


def ogrinfo(*args):
    done = subprocess.run(["ogrinfo", "-ro", *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def layers(path):
    """ogrinfo -al -so, split into {layer name: summary}."""
    text = ogrinfo("-al", "-so", path)
    chunks = re.split(r"^Layer name: ", text, flags=re.MULTILINE)[1:]
    return {chunk.splitlines()[0].strip(): chunk for chunk in chunks}


def feature_count(summary):
    return int(re.search(r"Feature Count: (\d+)", summary).group(1))


def staff_count(project):
    return Contribution.objects.filter(project=project).count()


def public_count(project):
    return Contribution.objects.public().filter(project=project).count()


CRS_MARKERS = {
    4326: ['GEOGCRS["WGS 84"'],
    2154: ["RGF93", "Lambert-93", 'ID["EPSG",2154]'],
    32632: ["WGS 84 / UTM zone 32N", 'ID["EPSG",32632]'],
}
DATETIME = {"shp": "Date"}  # dBase has dates only


@pytest.mark.parametrize(
    ("fmt", "srid"),
    [
        ("geojson", 4326),
        ("gpkg", 2154),
        ("fgb", 2154),
        ("csv", 2154),
        ("shp", 2154),
        ("gpkg", 32632),
        ("fgb", 32632),
    ],
)
def test_every_format_reads_back_with_count_crs_and_types(demo, prepared, tmp_path, fmt, srid):
    path = tmp_path / f"contributions.{fmt}"
    message = export(path, fmt, srid)
    expected = staff_count(demo)
    assert f"{expected} contributions" in message
    summaries = layers(path)
    name = path.stem if fmt in ("csv", "shp") else "contributions"
    assert feature_count(summaries[name]) == expected
    # A GeoPackage has a layer per geometry type (the demo's are points) and, as
    # `contributions`, all of them in one table without geometry.
    summary = summaries["contributions_points" if fmt == "gpkg" else name]
    for marker in CRS_MARKERS[srid]:
        assert marker in summary
    assert re.search(r"^votes: Integer \(", summary, re.MULTILINE)
    assert re.search(r"^comments: Integer \(", summary, re.MULTILINE)
    datetime = DATETIME.get(fmt, "DateTime")
    assert re.search(rf"^created_at: {datetime} \(", summary, re.MULTILINE)
    assert re.search(rf"^answered_a\w*: {datetime} \(", summary, re.MULTILINE)
    assert re.search(r"^email: String", summary, re.MULTILINE)  # staff export
    assert re.search(r"^author_id: Integer", summary, re.MULTILINE)
    if fmt == "csv":
        assert re.search(r"^x: Real", summary, re.MULTILINE)
        assert re.search(r"^y: Real", summary, re.MULTILINE)


def test_geopackage_in_lambert_93_puts_a_point_within_a_centimetre(demo, prepared, tmp_path):
    path = tmp_path / "l93.gpkg"
    export(path, "gpkg", 2154)
    contribution = Contribution.objects.filter(project=demo, geom__isnull=False).first()
    assert contribution.geom.geom_type == "Point"
    expected = pyproj.Transformer.from_crs(4326, 2154, always_xy=True).transform(
        contribution.geom.x, contribution.geom.y
    )
    text = ogrinfo("-where", f"id='{contribution.pk}'", path, "contributions_points")
    x, y = map(float, re.search(r"POINT \(([-\d.]+) ([-\d.]+)\)", text).groups())
    assert abs(x - expected[0]) < 0.01 and abs(y - expected[1]) < 0.01
    assert 1_000_000 < x < 1_110_000 and 6_290_000 < y < 6_390_000


def test_geopackage_has_contributions_communes_and_perimeter(demo, prepared, tmp_path):
    path = tmp_path / "layers.gpkg"
    export(path, "gpkg", 2154)
    summaries = layers(path)
    geometry_layers = {
        "contributions_points",
        "contributions_lines",
        "contributions_areas",
        "communes",
        "perimeter",
        "results",
        "partner_projects",
    }
    assert set(summaries) == geometry_layers | {"contributions", "layer_styles"}
    assert "Geometry: Point" in summaries["results"]
    assert feature_count(summaries["communes"]) == demo.perimeter.members.count() == 89
    assert feature_count(summaries["perimeter"]) == 1
    assert feature_count(summaries["contributions_points"]) == staff_count(demo)
    assert feature_count(summaries["contributions_lines"]) == 0  # empty, but typed
    assert "Geometry: Line String" in summaries["contributions_lines"]
    assert "Geometry: Polygon" in summaries["contributions_areas"]
    for name in geometry_layers:
        assert 'ID["EPSG",2154]' in summaries[name]
    assert re.search(r"^population: Integer", summaries["communes"], re.MULTILINE)


def test_public_export_has_no_email_author_hidden_or_submitted(demo, prepared, tmp_path):
    path = tmp_path / "public.geojson"
    export(path, "geojson", 4326, "--public")
    text = path.read_text(encoding="utf-8")
    summary = layers(path)["contributions"]
    assert feature_count(summary) == public_count(demo) == staff_count(demo) - 8
    assert SECRET_EMAIL not in text and "email" not in summary
    assert "author_id" not in text and "author_id" not in summary
    assert prepared["email"] in text  # the item is there, its email is not
    for hidden in prepared["hidden"] + prepared["submitted"]:
        assert hidden not in text
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert "EPSG:4326" in readme and "Features: " in readme and "ODbL" in readme
    assert "opendatacommons.org/licenses/odbl" in (tmp_path / "LICENSE.txt").read_text()


def test_public_geopackage_has_no_private_columns(demo, prepared, tmp_path):
    path = tmp_path / "public.gpkg"
    export(path, "gpkg", 2154, "--public")
    summary = layers(path)["contributions_points"]
    assert feature_count(summary) == public_count(demo)
    assert "email" not in summary and "author_id" not in summary
    assert "moderation" not in summary and "abuse_reports" not in summary
    dump = ogrinfo("-al", path, "contributions_points")
    assert SECRET_EMAIL not in dump
    statuses = set(re.findall(r"^  status \(String\) = (\w+)$", dump, re.MULTILINE))
    assert statuses and statuses <= set(PUBLIC_STATUSES)


def test_staff_export_includes_every_status_and_the_email(demo, prepared, tmp_path):
    path = tmp_path / "staff.geojson"
    export(path, "geojson", 4326)
    text = path.read_text(encoding="utf-8")
    assert SECRET_EMAIL in text
    for item in prepared["hidden"] + prepared["submitted"]:
        assert item in text
    assert not (tmp_path / "README.txt").exists()


def test_filters_are_the_public_lists(demo, prepared, tmp_path):
    path = tmp_path / "filtered.fgb"
    export(path, "fgb", 2154, "--public", "--kind", "report", "--theme", "infrastructure")
    expected = public_contributions(
        demo, ContributionFilters(kinds=["report"], themes=["infrastructure"])
    ).count()
    assert 0 < expected < public_count(demo)
    assert feature_count(layers(path)["contributions"]) == expected

    hidden = tmp_path / "hidden.fgb"
    export(hidden, "fgb", 2154, "--status", "hidden")  # staff may ask for hidden items
    assert feature_count(layers(hidden)["contributions"]) == len(prepared["hidden"])


def test_geojson_outside_wgs84_is_refused(demo, tmp_path):
    with pytest.raises(CommandError, match="RFC 7946.*EPSG:4326"):
        export(tmp_path / "l93.geojson", "geojson", 2154)
    assert not (tmp_path / "l93.geojson").exists()


def test_existing_output_is_refused_without_overwrite(demo, prepared, tmp_path):
    path = tmp_path / "again.gpkg"
    path.write_text("not mine")
    with pytest.raises(CommandError, match="already exists"):
        export(path, "gpkg", 2154)
    assert path.read_text() == "not mine"
    export(path, "gpkg", 2154, "--overwrite")
    assert feature_count(layers(path)["contributions"]) == staff_count(demo)


def test_unknown_project_and_srid_are_clear_errors(demo, tmp_path):
    with pytest.raises(CommandError, match="No project"):
        call_command(
            "export_layer",
            "--project=nowhere",
            "--format=gpkg",
            "--srid=2154",
            f"--output={tmp_path / 'x.gpkg'}",
        )
    with pytest.raises(CommandError, match="EPSG:999999"):
        export(tmp_path / "x.gpkg", "gpkg", 999999)


@pytest.fixture(scope="module")
def with_photos(demo, django_db_blocker, tmp_path_factory):
    """Two photos on one published contribution, committed: ogr2ogr reads on its own
    connection, outside the tests' transactions."""
    from django.test import override_settings

    from tests import factories

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        contribution = Contribution.objects.filter(project=demo, status=Status.PUBLISHED).first()
        photos = [factories.make_photo(contribution, position=n) for n in (1, 0)]
        yield contribution, sorted(photos, key=lambda p: p.position)
        contribution.photos.all().delete()


def test_photo_urls_list_a_contributions_photos_in_order(demo, with_photos, tmp_path):
    import json

    contribution, (first, second) = with_photos
    path = tmp_path / "photos.geojson"
    export(path, "geojson", 4326, "--public", "--base-url", "https://carte.example.org")
    features = json.loads(path.read_text())["features"]
    urls = {f["properties"]["id"]: f["properties"]["photo_urls"] for f in features}
    assert urls[str(contribution.pk)] == (
        f"https://carte.example.org/photos/{first.pk}/large.jpg "
        f"https://carte.example.org/photos/{second.pk}/large.jpg"
    )
    assert sum(1 for u in urls.values() if u) == 1  # the others have none


@pytest.fixture(scope="module")
def a_result(demo, prepared, django_db_blocker):
    """A result answering two public contributions and a hidden one, committed (ogr2ogr
    reads through its own connection)."""
    with django_db_blocker.unblock():
        answered = list(Contribution.objects.filter(project=demo).public().order_by("pk")[:2])
        hidden = Contribution.objects.filter(project=demo, status=Status.HIDDEN).first()
        result = Result.objects.create(
            project=demo,
            title={"fr": "Abri posé", "it": "Pensilina posata"},
            status="in_progress",
            progress=40,
        )
        result.contributions.set([*answered, hidden])
    yield result, answered
    with django_db_blocker.unblock():
        result.delete()


def test_the_geopackage_carries_the_results_on_their_place(demo, a_result, tmp_path):
    """You said, we did: one point per result, on the place it was drawn at or else on the
    contributions it answers (public ones only), with its title in the export's language."""
    result, answered = a_result
    path = tmp_path / "results.gpkg"
    export(path, "gpkg", 4326, "--language", "it")
    connection = sqlite3.connect(path)
    try:
        (row,) = connection.execute(
            "SELECT id, title, status, progress, contributions, contribution_ids, url FROM results"
        ).fetchall()
    finally:
        connection.close()
    assert row[:5] == (str(result.pk), "Pensilina posata", "in_progress", 40, 2)
    assert set(row[5].split()) == {str(c.pk) for c in answered}
    assert row[6].endswith(f"/it/p/{demo.slug}/results/{result.pk}/")
