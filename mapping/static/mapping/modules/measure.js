/* Lengths and areas on the sphere, and whether an outline crosses itself. Pure: positions are
 * [longitude, latitude] in degrees, as GeoJSON writes them. The server measures on the
 * ellipsoid (PostGIS geography): the two agree within a few tenths of a percent. */

const RADIUS = 6371008.8; // the mean Earth radius, in metres
const rad = (d) => (d * Math.PI) / 180;

export function distanceM(a, b) {
  const dLat = rad(b[1] - a[1]);
  const dLon = rad(b[0] - a[0]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[1])) * Math.cos(rad(b[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * RADIUS * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function lengthM(positions) {
  let total = 0;
  for (let i = 1; i < positions.length; i += 1) total += distanceM(positions[i - 1], positions[i]);
  return total;
}

// The area inside a ring (closed or not), in square metres.
export function areaM2(ring) {
  const points = closed(ring);
  if (points.length < 4) return 0;
  let sum = 0;
  for (let i = 0; i < points.length - 1; i += 1) {
    const [lon1, lat1] = points[i];
    const [lon2, lat2] = points[i + 1];
    sum += rad(lon2 - lon1) * (2 + Math.sin(rad(lat1)) + Math.sin(rad(lat2)));
  }
  return Math.abs((sum * RADIUS * RADIUS) / 2);
}

function closed(ring) {
  if (!ring.length) return [];
  const first = ring[0], last = ring[ring.length - 1];
  return first[0] === last[0] && first[1] === last[1] ? ring.slice() : ring.concat([first]);
}

// Where two segments cross, or null (segments that only touch at a shared end do not count).
function crossing(p1, p2, p3, p4) {
  const d = (p2[0] - p1[0]) * (p4[1] - p3[1]) - (p2[1] - p1[1]) * (p4[0] - p3[0]);
  if (d === 0) return null; // parallel (collinear overlaps are left to the server)
  const t = ((p3[0] - p1[0]) * (p4[1] - p3[1]) - (p3[1] - p1[1]) * (p4[0] - p3[0])) / d;
  const u = ((p3[0] - p1[0]) * (p2[1] - p1[1]) - (p3[1] - p1[1]) * (p2[0] - p1[0])) / d;
  if (t <= 0 || t >= 1 || u <= 0 || u >= 1) return null;
  return [p1[0] + t * (p2[0] - p1[0]), p1[1] + t * (p2[1] - p1[1])];
}

// The first place where an area's outline crosses itself, [lon, lat], or null.
export function selfCrossing(ring) {
  const points = closed(ring);
  const n = points.length - 1; // segments
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 2; j < n; j += 1) {
      if (i === 0 && j === n - 1) continue; // the first and last segments share the first corner
      const place = crossing(points[i], points[i + 1], points[j], points[j + 1]);
      if (place) return place;
    }
  }
  return null;
}

// What a drawing step would make: {ok, length} for a line, {ok, area, crossing} for an area.
// `limits` holds maxLineM and maxAreaM2 (null: no limit).
export function judgeShape(shape, positions, limits) {
  if (shape === "LineString") {
    const length = lengthM(positions);
    const max = limits.maxLineM;
    return { ok: max == null || length <= max, length, max };
  }
  const area = areaM2(positions);
  const max = limits.maxAreaM2;
  return { ok: max == null || area <= max, area, max, crossing: positions.length >= 4 ? selfCrossing(positions) : null };
}
