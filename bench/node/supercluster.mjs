// supercluster answering the same viewports as the cluster endpoint, on the same points.
// node supercluster.mjs POINTS.json VIEWPORTS.json  ->  one JSON line of measures
import { readFileSync } from "node:fs";
import Supercluster from "supercluster";

const [pointsPath, viewportsPath] = process.argv.slice(2);
const coordinates = JSON.parse(readFileSync(pointsPath, "utf8"));
const viewports = JSON.parse(readFileSync(viewportsPath, "utf8"));
const features = coordinates.map(([lon, lat]) => ({
  type: "Feature",
  properties: {},
  geometry: { type: "Point", coordinates: [lon, lat] },
}));

global.gc?.();
const before = process.memoryUsage().heapUsed;
const started = process.hrtime.bigint();
// 64-pixel clusters on 256-pixel tiles, as the endpoint's grid.
const index = new Supercluster({ radius: 64, extent: 256, maxZoom: 20 }).load(features);
const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
global.gc?.();
const indexMb = (process.memoryUsage().heapUsed - before) / 1048576;

const times = [];
let total = 0;
for (const round of [0, 1]) {
  for (const { bbox, zoom } of viewports) {
    const t0 = process.hrtime.bigint();
    const clusters = index.getClusters(bbox, zoom);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (round === 1) {
      times.push(ms);
      total += clusters.length;
    }
  }
}
times.sort((a, b) => a - b);
const pick = (f) => times[Math.min(times.length - 1, Math.round(f * (times.length - 1)))];
console.log(JSON.stringify({
  points: features.length, build_ms: buildMs, index_mb: indexMb,
  rss_mb: process.memoryUsage().rss / 1048576, p50_ms: pick(0.5), p95_ms: pick(0.95),
  clusters_returned: total,
}));
