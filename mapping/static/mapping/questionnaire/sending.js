/* Sending a questionnaire's answers through an outbox, as the contribution form does: the
 * answers wait on the device (IndexedDB, outbox.js, an outbox of their own) until the server
 * has them, and are sent again with the same client_key (made once per draft) when the
 * network returns, so a retry never stores a second response. queue.js says what each answer
 * from the server means: sent, refused (retrying cannot help) or wait and retry. */
import { lang } from "../modules/dom.js";
import { flushItems, outcomeOf, refusals, waiting } from "../modules/queue.js";

const OUTBOX = "questionnaire-outbox";

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// Resolves to {status, body} when the server answered; rejects when the network failed, timed
// out or the server asked to come back later (the answers then keep waiting).
function send(item) {
  const controller = window.AbortController ? new AbortController() : null;
  const timer = controller && setTimeout(() => controller.abort(), 30000);
  return fetch(item.url, {
    method: "POST", body: item.body, credentials: "same-origin", signal: controller && controller.signal,
    headers: {
      "Content-Type": "application/json", "Idempotency-Key": item.key, "X-CSRFToken": csrfToken(),
      "Accept-Language": item.language || lang, Accept: "application/json",
    },
  }).then((response) => {
    if (timer) clearTimeout(timer);
    if (outcomeOf(response.status) === "retry") throw new Error("retry");
    return response.json().catch(() => ({})).then((body) => ({ status: response.status, body }));
  });
}

// `draftKey` names this page's draft; `sent(body)` and `refused(body)` are called for this
// page's answers; another questionnaire's waiting answers are sent too, and its draft cleared.
export function setupSending({ draftKey, storage, sent, refused, waitingNow }) {
  const outbox = window.Outbox.named(OUTBOX);
  let flushing = false;

  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return outbox.all().then((items) => flushItems(items, send, {
      sent: (item, body) => outbox.remove(item.key).then(() => {
        storage.removeItem(item.draftKey);
        if (item.draftKey === draftKey) sent(body);
      }),
      refused: (item, body) => outbox.remove(item.key).then(() => {
        // Nothing was stored: the answers stay in the draft, to be corrected and sent again.
        if (item.draftKey === draftKey) refused(body);
      }),
    })).then(() => { flushing = false; }, () => { flushing = false; });
  }

  function queue(item) {
    return outbox.put(Object.assign({ draftKey, savedAt: new Date().toISOString() }, item)).then(() => {
      if (!navigator.onLine) { waitingNow(); return null; }
      return flush().then(() => outbox.all()).then((items) => {
        if (waiting(items).some((i) => i.key === item.key)) waitingNow();
      });
    });
  }

  // This page's answers already waiting (sent from an earlier visit), or none.
  function pending() {
    return outbox.all().then((items) => waiting(items).concat(refusals(items)).filter((i) => i.draftKey === draftKey)).catch(() => []);
  }

  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  return { queue, flush, pending };
}
