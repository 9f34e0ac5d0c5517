/**
 * Fixtures for your own tests (`netns-native/testing`), as pyroute2's and vishvananda/netlink's
 * test helpers: a fresh namespace per test, deleted after it whatever the outcome, and a way to
 * know (or insist) that the whole run happens in a throwaway network namespace.
 *
 * Running a test file or a whole suite in a throwaway namespace is done from outside the test
 * process, by the command: `netns-native isolate -- node --test`, `... -- jest`,
 * `... -- vitest run` (a new network namespace with only `lo`, a mount namespace of its own
 * with an empty /run/netns; everything the tests do there is gone when they end). A running
 * Node process cannot move itself into another network namespace (setns(2) moves one thread),
 * which is why it is a wrapper and not a hook. See docs/testing-your-code.md.
 *
 * @example
 * ```ts
 * // node:test
 * import { test } from 'node:test';
 * import { freshNamespace } from 'netns-native/testing';
 * test('my service in a namespace', async (t) => {
 *   const ns = await freshNamespace(t);          // deleted when t ends
 *   ...
 * });
 * ```
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { invalid, NetnsError } from './internal/errors';
import { checkObject } from './internal/validate';
import { Namespace } from './namespace';

/** Something that runs a function when the current test ends: node:test's `t`, vitest's context. */
export interface TestContextLike {
  /** node:test's TestContext.after (Node ≥ 18.13). */
  after?: (fn: () => unknown) => unknown;
  /** vitest's TestContext.onTestFinished (vitest ≥ 1.3). */
  onTestFinished?: (fn: () => unknown) => unknown;
}

/** Options for {@link freshNamespace}. */
export interface FreshNamespaceOptions {
  /** The start of the name; 8 random hex digits follow. Default 'nnt-'. */
  prefix?: string;
  /** Bring `lo` up (default true: most code under test expects 127.0.0.1 to work). */
  loopbackUp?: boolean;
}

/** The environment variable `netns-native isolate` sets for its program. */
export const ISOLATED_ENV = 'NETNS_NATIVE_ISOLATED';

const pending = new Set<Namespace>();
let hookRegistered = false;

/**
 * Registers the deletion with the runner's global afterEach when there is one (jest, vitest with
 * `globals: true`, mocha), once per test file: jest and vitest load this module once per file.
 */
function registerGlobalHook(): void {
  if (hookRegistered) return;
  const afterEach = (globalThis as { afterEach?: (fn: () => Promise<void>) => void }).afterEach;
  if (typeof afterEach !== 'function') return;
  try {
    afterEach(() => cleanupNamespaces());
    hookRegistered = true;
  } catch {
    // a hook cannot be added now (inside a test): a context must be given instead
  }
}
registerGlobalHook();

/**
 * A new named namespace (`nnt-1a2b3c4d`), deleted with `delete({ wait: true })` when the test
 * ends, passed or failed, so that a next test can re-create the same names at once.
 *
 * Who deletes it: the test context if you pass one (node:test's `t`, vitest's `context`); else
 * the runner's global `afterEach` (jest; vitest with `globals: true`), hooked when this module
 * was first imported; else call {@link cleanupNamespaces} in your own afterEach.
 * @example
 * ```ts
 * test('two tenants', async (t) => {
 *   const a = await freshNamespace(t);
 *   const b = await freshNamespace(t, { prefix: 'tenant-' });
 * });
 * ```
 * @throws NetnsError EINVAL for bad options, or when no runner hook and no context is there to
 *   delete it (nothing is created then); EPERM without CAP_SYS_ADMIN.
 */
export async function freshNamespace(
  context?: TestContextLike,
  options: FreshNamespaceOptions = {},
): Promise<Namespace> {
  const operation = 'create a fresh namespace for a test';
  checkObject(options, operation, 'options');
  const prefix = options.prefix ?? 'nnt-';
  if (typeof prefix !== 'string') throw invalid(operation, 'prefix must be a string');
  const cleanup = cleanupFor(context, operation);
  const ns = await Namespace.create(`${prefix}${randomBytes(4).toString('hex')}`);
  pending.add(ns);
  cleanup?.(async () => {
    pending.delete(ns);
    await ns.delete({ wait: true });
  });
  if (options.loopbackUp !== false) await (await ns.link('lo')).up();
  return ns;
}

function cleanupFor(
  context: TestContextLike | undefined,
  operation: string,
): ((fn: () => Promise<void>) => void) | undefined {
  if (context !== undefined) {
    // vitest's test context is a function object (calling it throws "done() callback is
    // deprecated"), node:test's an object.
    if ((typeof context !== 'object' && typeof context !== 'function') || context === null) {
      throw invalid(operation, 'the test context must be an object');
    }
    if (typeof context.onTestFinished === 'function') return (fn) => void context.onTestFinished?.(fn);
    if (typeof context.after === 'function') return (fn) => void context.after?.(fn);
    throw invalid(operation, "the test context has neither after() (node:test's t) nor onTestFinished() (vitest's)");
  }
  if (hookRegistered) return undefined; // cleanupNamespaces() runs after each test
  throw invalid(
    operation,
    "no test runner hook to delete it: pass the test context (node:test: freshNamespace(t); vitest: the test's context), " +
      'or call cleanupNamespaces() in your afterEach',
  );
}

/**
 * Deletes every namespace {@link freshNamespace} made that is not deleted yet (waiting for the
 * kernel, as `delete({ wait: true })`). Rejects with the first failure after trying them all.
 */
export async function cleanupNamespaces(): Promise<void> {
  const all = [...pending];
  pending.clear();
  const outcomes = await Promise.allSettled(all.map((ns) => ns.delete({ wait: true })));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Whether this process runs in a throwaway namespace made by `netns-native isolate` (or by
 * netns-native's own test command), where changing the namespace's own links, routes and named
 * namespaces harms nothing.
 */
export function isolated(): boolean {
  return process.env[ISOLATED_ENV] === '1';
}

/**
 * Throws unless {@link isolated}: a guard for tests that change the namespace they run in.
 * @throws NetnsError EPERM saying how to run the tests isolated.
 */
export function requireIsolation(): void {
  if (isolated()) return;
  throw new NetnsError({
    code: 'EPERM',
    operation: 'run a test that changes its own network namespace',
    reason:
      'this process does not run in a throwaway namespace; run the tests through ' +
      '`netns-native isolate -- <your test command>` (as root)',
  });
}
