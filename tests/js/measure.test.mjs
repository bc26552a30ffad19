import test from "node:test";
import assert from "node:assert/strict";
import { areaM2, judgeShape, lengthM, selfCrossing } from "../../mapping/static/mapping/modules/measure.js";

const near = (actual, expected, tolerance) => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} ± ${tolerance}`);

test("a degree of latitude is about 111 km", () => {
  near(lengthM([[7.26, 43.7], [7.26, 44.7]]), 111195, 50);
});

test("the area of a small square near Nice", () => {
  // 0.01° of longitude at 43.7° N is 804 m, 0.01° of latitude 1112 m: about 89.4 ha.
  const ring = [[7.26, 43.70], [7.27, 43.70], [7.27, 43.71], [7.26, 43.71]];
  near(areaM2(ring), 894000, 3000);
  near(areaM2(ring.concat([ring[0]])), areaM2(ring), 1e-6);
});

test("an outline that crosses itself is found, with the place", () => {
  const bowtie = [[0, 0], [1, 1], [1, 0], [0, 1]];
  const place = selfCrossing(bowtie);
  assert.ok(place);
  near(place[0], 0.5, 1e-9);
  near(place[1], 0.5, 1e-9);
  assert.equal(selfCrossing([[0, 0], [1, 0], [1, 1], [0, 1]]), null);
  assert.equal(selfCrossing([[0, 0], [2, 0], [1, 1], [2, 2], [0, 2]]), null); // concave, simple
});

test("the step that crosses the limit is refused", () => {
  const limits = { maxLineM: 2000, maxAreaM2: 500000 };
  assert.equal(judgeShape("LineString", [[7.26, 43.7], [7.26, 43.71]], limits).ok, true);
  const judged = judgeShape("LineString", [[7.26, 43.7], [7.26, 43.72]], limits);
  assert.equal(judged.ok, false);
  near(judged.length, 2224, 5);
  assert.equal(judgeShape("Polygon", [[7.26, 43.70], [7.27, 43.70], [7.27, 43.71]], limits).ok, true);
  assert.equal(judgeShape("Polygon", [[7.26, 43.70], [7.27, 43.70], [7.27, 43.71], [7.26, 43.71]], limits).ok, false);
  assert.equal(judgeShape("LineString", [[0, 0], [10, 0]], { maxLineM: null }).ok, true);
});
