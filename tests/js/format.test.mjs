import test from "node:test";
import assert from "node:assert/strict";
import { makeFormat } from "../../mapping/static/mapping/modules/format.js";
import { catalogue, i18n } from "./i18n.mjs";

const plain = (s) => s.replace(/[\u00a0\u202f]/g, " ");

test("distances: metres below a kilometre, then kilometres, per language", () => {
  assert.equal(plain(makeFormat("fr", i18n).distance(850.4)), "850 m");
  assert.equal(plain(makeFormat("fr", i18n).distance(22899)), "23 km");
  assert.equal(plain(makeFormat("fr", i18n).distance(8629)), "8,6 km");
  assert.equal(plain(makeFormat("en", i18n).distance(8629)), "8.6 km");
  assert.equal(plain(makeFormat("it", i18n).distance(1500)), "1,5 km");
});

test("areas: square metres below a hectare, then hectares", () => {
  assert.equal(plain(makeFormat("fr", i18n).area(950)), "950 m²");
  assert.equal(plain(makeFormat("fr", i18n).area(1668000)), "167 ha");
  assert.equal(plain(makeFormat("fr", i18n).area(15000)), "1,5 ha");
  assert.equal(plain(makeFormat("en", i18n).area(15000)), "1.5 ha");
});

test("numbers are grouped as the language writes them", () => {
  assert.equal(plain(makeFormat("fr", i18n).number(22899)), "22 899");
  assert.equal(makeFormat("en", i18n).number(22899), "22,899");
  assert.equal(makeFormat("it", i18n).number(22899), "22.899");
});

test("plurals come from the catalogue, with the count formatted", () => {
  const fr = catalogue({ "%(count)s point placed": ["%(count)s point placé", "%(count)s points placés"] }, (n) => (n > 1 ? 1 : 0));
  const format = makeFormat("fr", fr);
  const placed = (n) => format.counted(fr.ngettext("%(count)s point placed", "%(count)s points placed", n), n);
  assert.equal(placed(1), "1 point placé");
  assert.equal(placed(0), "0 point placé");
  assert.equal(placed(3), "3 points placés");
  const many = i18n.ngettext("%(count)s contribution", "%(count)s contributions", 1234);
  assert.equal(plain(makeFormat("fr", i18n).counted(many, 1234)), "1 234 contributions");
});
