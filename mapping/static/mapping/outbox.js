/* Contributions waiting for the network: kept in IndexedDB (photos included) and sent again,
 * with the same Idempotency-Key, until the server has them. A retry never stores twice.
 * Questionnaires keep their answers waiting in an outbox of their own (Outbox.named), so
 * neither form ever sends the other's items. */
(function () {
  "use strict";
  var STORE = "submissions";

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40; bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // The outbox kept in the IndexedDB database `name`.
  function named(name) {
    function open() {
      return new Promise(function (resolve, reject) {
        var request = indexedDB.open(name, 1);
        request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }

    function run(mode, action) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction(STORE, mode), objects = tx.objectStore(STORE), result;
          var request = action(objects);
          if (request) request.onsuccess = function () { result = request.result; };
          tx.oncomplete = function () { db.close(); resolve(result); };
          tx.onerror = function () { db.close(); reject(tx.error); };
        });
      });
    }

    return {
      newKey: newKey,
      named: named,
      put: function (item) { return run("readwrite", function (s) { return s.put(item); }); },
      remove: function (key) { return run("readwrite", function (s) { return s.delete(key); }); },
      all: function () { return run("readonly", function (s) { return s.getAll(); }).then(function (r) { return r || []; }); },
    };
  }

  window.Outbox = named("mapping-outbox");
})();
