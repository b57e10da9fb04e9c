/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it must hook require() for face-api's Node build */
// Test-only stand-in for the `@tensorflow/tfjs` umbrella package (not installed here), so face-api's
// Node build can load on our tfjs-core/converter/cpu and serve as the reference implementation.
// tfjs-core's Node bundle does not register the chained tensor methods face-api calls (t.as3D() …).
const core = require('@tensorflow/tfjs-core');
const proto = core.Tensor.prototype;
for (const [name, fn] of Object.entries(core)) {
  if (typeof fn === 'function' && /^[a-z]/.test(name) && !(name in proto)) {
    proto[name] = function chained(...args) {
      return fn(this, ...args);
    };
  }
}
for (const rank of [1, 2, 3, 4, 5]) {
  proto[`as${rank}D`] = function asRank(...shape) {
    return core.reshape(this, shape);
  };
}
module.exports = { ...core, ...require('@tensorflow/tfjs-converter'), ...require('@tensorflow/tfjs-backend-cpu') };
