"""The clusters' plain query reading agrees with the serializer it stands in for."""

from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from layers.api import ClusterQuery, plain_viewport

number = st.one_of(
    st.floats(min_value=-200, max_value=200, allow_nan=False).map(repr),
    st.integers(min_value=-200, max_value=200).map(str),
    st.sampled_from(["nan", "inf", "-0", "1e2", " 7.2", "7.", ".5", "", "x", "0x10"]),
)
lon = st.floats(min_value=-180, max_value=180, allow_nan=False)
lat = st.floats(min_value=-90, max_value=90, allow_nan=False)
spelled = st.sampled_from(["{:.6f}", "{!r}", "{:.0f}", "{:.20f}"])


@st.composite
def plausible_bbox(draw):
    """Four numbers in range, mostly min before max, written in several ways."""
    x0, x1, y0, y1 = draw(lon), draw(lon), draw(lat), draw(lat)
    if draw(st.integers(0, 3)):  # three times in four
        x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    spelling = draw(spelled)
    return ",".join(spelling.format(v) for v in (x0, y0, x1, y1))


bbox = st.one_of(
    plausible_bbox(), plausible_bbox(), st.lists(number, min_size=3, max_size=5).map(",".join)
)
zoom = st.one_of(
    st.integers(min_value=-3, max_value=30).map(str),
    st.integers(min_value=18, max_value=25).map(str),
    st.sampled_from(["", "5.0", "07", " 5", "x"]),
)
extra = st.one_of(st.none(), st.sampled_from(["kind=proposal", "theme=", "zoom=3", "bbox=1,2,3,4"]))


def _serializer(query):
    serializer = ClusterQuery(data=query)
    try:
        serializer.is_valid(raise_exception=True)
    except ValidationError:
        return None
    return dict(serializer.validated_data)


@settings(max_examples=400, deadline=None)
@given(bbox=bbox, zoom=zoom, extra=extra)
def test_plain_reading_matches_the_serializer_or_steps_aside(bbox, zoom, extra):
    text = f"bbox={bbox}&zoom={zoom}" + (f"&{extra}" if extra else "")
    query = QueryDict(text.replace("+", "%2B"))
    plain = plain_viewport(query)
    if plain is not None:
        assert plain == _serializer(query)


def test_the_maps_usual_query_is_read_plainly():
    query = QueryDict("bbox=7.123456,43.7,7.3,43.80001&zoom=12")
    assert (
        plain_viewport(query)
        == _serializer(query)
        == {
            "bbox": (7.123456, 43.7, 7.3, 43.80001),
            "zoom": 12,
        }
    )
