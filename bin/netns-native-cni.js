#!/usr/bin/env node
// The CNI plugin executable (docs/cni.md): install or link it into the runtime's CNI bin
// directory (/opt/cni/bin) and name it in a network configuration's "type".
//
// A runtime starts one process per call, so start-up is most of a call's cost (docs/cni.md,
// "Performance"). The plugin's modules come as one script, dist/lib/cni/bundle.js (made by
// scripts/bundle-cni.js), compiled with a V8 code cache kept beside it: the first successful ADD
// writes bundle.<id>.<node version>.cache (atomically; skipped where the directory is read-only),
// and later calls skip parsing and compiling what that ADD ran. V8 refuses a cache made by
// another V8 or for other source, and the script is then compiled as if there were none.
// NETNS_NATIVE_CNI_CACHE=off neither reads nor writes it. Without the bundle, or with one older
// than the modules (a build that ran tsc alone), the modules are required one by one.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'dist', 'lib', 'cni');

function bundled() {
  let source;
  try {
    // tsc rewrites every file of dist/ when it runs: a main.js newer than the bundle means the
    // bundle was not made again since (tsc run alone), so it is out of date.
    if (fs.statSync(path.join(dir, 'main.js')).mtimeMs > fs.statSync(path.join(dir, 'bundle.js')).mtimeMs) {
      return undefined;
    }
    // ASCII only (scripts/bundle-cni.js): read as one-byte text, with no UTF-8 decoding.
    source = fs.readFileSync(path.join(dir, 'bundle.js'), 'latin1');
  } catch {
    return undefined;
  }
  const vm = require('node:vm');
  const id = /^\/\/ netns-native-cni bundle ([0-9a-f]+)/.exec(source);
  const useCache = id !== null && process.env.NETNS_NATIVE_CNI_CACHE !== 'off';
  const cacheFile = useCache ? path.join(dir, `bundle.${id[1]}.${process.version}.cache`) : '';
  let cachedData;
  if (useCache) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // none yet: made below after a successful ADD
    }
  }
  const script = new vm.Script(source, { filename: path.join(dir, 'bundle.js'), cachedData });
  if (useCache && (cachedData === undefined || script.cachedDataRejected) && process.env.CNI_COMMAND === 'ADD') {
    process.once('exit', (code) => {
      if (code !== 0) return;
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        try {
          fs.unlinkSync(tmp);
        } catch {
          // never written
        }
      }
    });
  }
  return script.runInThisContext()(require, path.join(__dirname, '..', 'dist', 'lib'));
}

(bundled() ?? require('../dist/lib/cni/main.js')).main();
