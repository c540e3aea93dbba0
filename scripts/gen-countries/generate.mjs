// Regenerates data/countries.csv (ISO 3166-1: alpha-2, alpha-3, names in French, Arabic
// and English) from the npm package i18n-iso-countries (MIT, names from CLDR).
// Run: cd scripts/gen-countries && npm install --no-save i18n-iso-countries@7 && node generate.mjs
import countries from "i18n-iso-countries";
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
const require = createRequire(import.meta.url);
for (const l of ["fr", "ar", "en"]) countries.registerLocale(require(`i18n-iso-countries/langs/${l}.json`));
const q = (s) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const one = (n) => (Array.isArray(n) ? n[0] : n);
const rows = ["alpha2,alpha3,name_fr,name_ar,name_en"];
for (const a2 of Object.keys(countries.getAlpha2Codes()).sort()) {
  const names = ["fr", "ar", "en"].map((l) => one(countries.getName(a2, l, { select: "official" }) ?? countries.getName(a2, l)));
  rows.push([a2, countries.alpha2ToAlpha3(a2), ...names].map(q).join(","));
}
writeFileSync(new URL("../../data/countries.csv", import.meta.url), rows.join("\n") + "\n");
console.log(`${rows.length - 1} countries`);
