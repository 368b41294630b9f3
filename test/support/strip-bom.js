// Jest (before Node 24.9) cannot require() an ES module, and @microsoft/app-manifest requires strip-bom 5,
// which is ESM-only. Under Node itself (npm run package) the real package loads; under jest this CommonJS
// copy of its one function does.
'use strict';
function stripBom(string) {
  if (typeof string !== 'string') throw new TypeError(`Expected a string, got ${typeof string}`);
  return string.charCodeAt(0) === 0xfeff ? string.slice(1) : string;
}
module.exports = stripBom;
module.exports.default = stripBom;
