/* Which markers a refresh adds and removes: only what changed, so a marker whose popup is open
 * stays where it is. Pure. */

// One key per thing drawn: a contribution by its id and what its pin shows, a cluster by its
// place and count.
export function keyOf(feature) {
  const p = feature.properties || {};
  if (p.cluster) return "cluster:" + feature.geometry.coordinates.join(",") + ":" + p.count;
  return "item:" + p.id + ":" + p.kind + ":" + p.theme + ":" + p.title;
}

// {add: [features], remove: [keys]}; `keep(key)` says whether a layer about to be removed
// must stay (its popup is open).
export function diff(shownKeys, features, keep) {
  const next = new Map(features.map((f) => [keyOf(f), f]));
  const shown = new Set(shownKeys);
  const add = [];
  next.forEach((feature, key) => { if (!shown.has(key)) add.push(feature); });
  const remove = shownKeys.filter((key) => !next.has(key) && !(keep && keep(key)));
  return { add, remove };
}
