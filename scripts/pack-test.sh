#!/bin/sh
# Tests the package as a user gets it: packs the tarball (dist/ and prebuilds/ as they are now:
# run `npm run build:ts` and `npm run prebuild` first), installs it in a scratch project outside
# the repository, and checks that
#   - the addon and the exec helper come from prebuilds/ (nothing compiled on install);
#   - require() and import both work, with the same classes, for both entries: netns-native
#     and netns-native/testing;
#   - a strict TypeScript file using both entries compiles against the published types with
#     module nodenext (CJS and ESM) and with moduleResolution bundler, with skipLibCheck off;
#   - arethetypeswrong finds no problem in either entry (@arethetypeswrong/cli, a
#     devDependency: `npm ci` first);
#   - the two commands the package installs run: `netns-native --help` and `--version`, and
#     `netns-native-cni` answering CNI_COMMAND=VERSION with its versions;
#   - a program runs in a namespace through the installed package (root only, in a throwaway
#     network + mount namespace).
# Needs the npm registry (the package's dependencies, typescript). Prints "pack-test: ok" last.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d /tmp/netns-native-pack.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
cd "$root"
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$scratch" | tail -1)
echo "pack-test: $tarball in $scratch"

if [ ! -x node_modules/.bin/attw ]; then
  echo "pack-test: node_modules/.bin/attw is missing: run npm ci (@arethetypeswrong/cli is a devDependency)" >&2
  exit 1
fi
# Both entries, named: the check fails if either is missing from "exports" or resolves wrong.
node_modules/.bin/attw --profile node16 "$scratch/$tarball" --entrypoints . ./testing

cd "$scratch"
cat >package.json <<'EOF'
{ "name": "netns-native-pack-test", "private": true, "version": "1.0.0" }
EOF
npm install --no-audit --no-fund --silent "./$tarball" "typescript@$(node -p "require('$root/node_modules/typescript/package.json').version")" "@types/node@20" >/dev/null
pkg=node_modules/netns-native
if [ -d "$pkg/build" ]; then
  echo "pack-test: the install compiled the addon ($pkg/build exists) instead of using prebuilds/" >&2
  exit 1
fi

cat >cjs.cjs <<'EOF'
const netns = require('netns-native');
const where = require('node-gyp-build').path(require('path').dirname(require.resolve('netns-native/package.json')));
if (!/prebuilds\/linux-[a-z0-9]+\/node\.napi\.glibc\.node$/.test(where)) throw new Error(`addon from ${where}`);
if (typeof netns.Namespace.create !== 'function') throw new Error('no Namespace.create');
const testing = require('netns-native/testing');
for (const f of ['freshNamespace', 'cleanupNamespaces', 'isolated', 'requireIsolation']) {
  if (typeof testing[f] !== 'function') throw new Error(`netns-native/testing (require) has no ${f}`);
}
console.log(JSON.stringify([Object.keys(netns).sort(), Object.keys(testing).sort()]));
EOF
cat >esm.mjs <<'EOF'
import { createRequire } from 'node:module';
import * as esm from 'netns-native';
import netns, { Namespace, NetnsError } from 'netns-native';
const cjs = createRequire(import.meta.url)('netns-native');
const names = Object.keys(esm).filter((k) => k !== 'default').sort();
for (const k of names) if (esm[k] !== cjs[k]) throw new Error(`${k} differs between import and require`);
if (netns !== cjs || Namespace !== cjs.Namespace || !(new NetnsError({ code: 'EINVAL', operation: 'x', reason: 'y' }) instanceof cjs.NetnsError)) {
  throw new Error('import and require give different objects');
}
const testingEsm = await import('netns-native/testing');
const testingCjs = createRequire(import.meta.url)('netns-native/testing');
const testingNames = Object.keys(testingEsm).filter((k) => k !== 'default').sort();
for (const k of testingNames) if (testingEsm[k] !== testingCjs[k]) throw new Error(`testing: ${k} differs between import and require`);
if (typeof testingEsm.freshNamespace !== 'function') throw new Error('netns-native/testing (import) has no freshNamespace');
console.log(JSON.stringify([names, testingNames]));
EOF
cjs_names=$(node cjs.cjs)
esm_names=$(node esm.mjs)
if [ "$cjs_names" != "$esm_names" ]; then
  echo "pack-test: require exports $cjs_names but import exports $esm_names" >&2
  exit 1
fi
echo "pack-test: require and import agree (netns-native, netns-native/testing): $cjs_names"

cat >user.ts <<'EOF'
import { Namespace, NetnsError, VethPair, type Link, type PingResult, type RouteSpec } from 'netns-native';

export async function tenant(name: string): Promise<Link[]> {
  const ns = await Namespace.create(name);
  try {
    const { local } = await VethPair.create({ name: `${name}-h`, peerName: 'eth0', peerNamespace: ns });
    await local.addAddress('198.18.0.1/24');
    const route: RouteSpec = { destination: 'default', gateway: '198.18.0.254' };
    await ns.addRoute(route).catch((e: unknown) => {
      if (!(e instanceof NetnsError) || e.code !== 'ENETUNREACH') throw e;
    });
    const r: PingResult = await ns.ping('127.0.0.1', { count: 1 });
    console.log(r.received);
    return await ns.links();
  } finally {
    await ns.delete();
  }
}
EOF
cat >>user.ts <<'EOF'

import { cleanupNamespaces, freshNamespace, isolated, type FreshNamespaceOptions } from 'netns-native/testing';
export async function fixture(options: FreshNamespaceOptions): Promise<string | undefined> {
  const ns: Namespace = await freshNamespace(undefined, options);
  await cleanupNamespaces();
  return isolated() ? ns.name : undefined;
}
EOF
cp user.ts user.mts
cat >tsconfig.nodenext.json <<'EOF'
{ "compilerOptions": { "module": "nodenext", "moduleResolution": "nodenext", "target": "es2022",
  "strict": true, "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["user.ts", "user.mts"] }
EOF
cat >tsconfig.bundler.json <<'EOF'
{ "compilerOptions": { "module": "esnext", "moduleResolution": "bundler", "target": "es2022",
  "strict": true, "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["user.ts"] }
EOF
npx --no-install tsc -p tsconfig.nodenext.json
npx --no-install tsc -p tsconfig.bundler.json
echo "pack-test: TypeScript (nodenext CJS + ESM, bundler; strict, skipLibCheck off) compiles"

# The commands, as npm linked them into node_modules/.bin.
npx --no-install netns-native --help >help.txt
grep -q 'netns-native' help.txt || { echo "pack-test: netns-native --help printed no usage" >&2; exit 1; }
version=$(npx --no-install netns-native --version)
want=$(node -p "require('netns-native/package.json').version")
if [ "$version" != "$want" ]; then
  echo "pack-test: netns-native --version printed '$version', not $want" >&2
  exit 1
fi
CNI_COMMAND=VERSION npx --no-install netns-native-cni </dev/null >cni-version.json
node -e '
const v = JSON.parse(require("fs").readFileSync("cni-version.json", "utf8"));
if (typeof v.cniVersion !== "string" || !Array.isArray(v.supportedVersions) || !v.supportedVersions.includes(v.cniVersion)) {
  throw new Error(`netns-native-cni VERSION printed ${JSON.stringify(v)}`);
}'
echo "pack-test: the commands run: netns-native --help, --version ($version); netns-native-cni VERSION ($(cat cni-version.json))"

if [ "$(id -u)" = 0 ]; then
  cat >run.cjs <<'EOF'
const { Namespace } = require('netns-native');
(async () => {
  const ns = await Namespace.create();
  const r = await ns.exec('sh', ['-c', 'ls /proc/self/fd | wc -l']);
  await ns.delete();
  if (r.exitCode !== 0) throw new Error(`exec: ${JSON.stringify(r)}`);
  console.log(`pack-test: a program ran in a namespace through the installed package`);
})().catch((e) => { console.error(e); process.exit(1); });
EOF
  unshare --net --mount --propagation private -- sh -c 'mount -t tmpfs netns-native-run /run && node run.cjs'
fi
echo "pack-test: ok"
