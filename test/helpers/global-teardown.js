/**
 * After the whole run: removes the libraries child.ts compiled for child processes
 * (build/test-lib-PID/) whose process is gone. Each jest worker compiles one and is stopped
 * without running its exit hooks, so the worker cannot remove its own; a live PID's is left
 * alone (another run in the same checkout may be using it).
 */
const fs = require('node:fs');
const path = require('node:path');

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

module.exports = async function removeCompiledLibraries() {
  const build = path.join(__dirname, '../../build');
  let names = [];
  try {
    names = fs.readdirSync(build);
  } catch {
    return; // nothing built
  }
  for (const name of names) {
    const pid = /^test-lib-([0-9]+)$/.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) fs.rmSync(path.join(build, name), { recursive: true, force: true });
  }
};
