/* The outbox's rules, apart from its storage (outbox.js, IndexedDB): what an answer from the
 * server means for a waiting contribution, and the draft a refused one becomes. Pure. */

// "sent", "refused" (the server read it and said no: retrying cannot help) or "retry".
export function outcomeOf(status) {
  if (status >= 200 && status < 300) return "sent";
  if (status >= 500 || status === 408 || status === 429 || status === 0) return "retry";
  return "refused";
}

// The draft a refused item becomes: everything typed, the place, and why it was refused.
// Only items neither sent nor refused are sent again.
export function refusedItem(item, body, reason) {
  return Object.assign({}, item, {
    refused: { code: (body && body.code) || "", detail: (body && body.detail) || "", reason: reason, at: new Date().toISOString() },
  });
}

export function waiting(items) { return items.filter((item) => !item.refused); }
export function refusals(items) { return items.filter((item) => item.refused); }

// The form's values back from a stored item (its feature is the JSON that was sent).
export function draftOf(item) {
  let feature = {};
  try { feature = JSON.parse(item.feature); } catch { feature = {}; }
  const p = feature.properties || {};
  return {
    key: item.key,
    geometry: feature.geometry || null,
    kind: p.kind || "", theme: p.theme || "", sentiment: p.sentiment || "",
    title: p.title || item.title || "", description: p.description || "", email: p.email || "",
    precision: p.location_precision || "exact",
    ageBracket: p.age_bracket || "", residence: p.residence || "",
    photos: item.photos || [],
    reason: item.refused ? item.refused.reason : "",
  };
}

// Sends every waiting item in turn: `send(item)` resolves to {status, body} or rejects when
// the network failed (the item then keeps waiting). Calls back for each answer.
export async function flushItems(items, send, { sent, refused }) {
  for (const item of waiting(items)) {
    let answer;
    try { answer = await send(item); } catch { continue; }
    const outcome = outcomeOf(answer.status);
    if (outcome === "sent") await sent(item, answer.body);
    else if (outcome === "refused") await refused(item, answer.body);
  }
}
