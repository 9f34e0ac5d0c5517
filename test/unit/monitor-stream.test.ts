/**
 * The monitor's ordering rules (lib/internal/monitor-stream.ts) on scripted streams: no kernel,
 * no root. The dumps and fences are played by the test, so each case places a dump exactly
 * where it wants relative to the events: before, inside or after the changes of the window.
 */
import {
  keyOf,
  MonitorStream,
  type DumpScope,
  type DumpState,
  type StreamOutput,
} from '../../lib/internal/monitor-stream';
import { AF_INET, AF_INET6, IFF_UP, RTM_F_CLONED } from '../../lib/native/constants';
import type {
  NativeAddress,
  NativeEventKind,
  NativeLink,
  NativeNetconf,
  NativeNexthopObject,
  NativeRoute,
  NativeStreamItem,
} from '../../lib/native/surface';

function link(index: number, mtu: number, up = false): NativeLink {
  return {
    index,
    type: 1,
    flags: up ? IFF_UP : 0,
    name: `l${index}`,
    mtu,
    minMtu: 68,
    maxMtu: 65535,
    group: 0,
    txqlen: 1000,
    promiscuity: 0,
    numTxQueues: 1,
    numRxQueues: 1,
    address: '02:00:00:00:00:01',
    broadcast: 'ff:ff:ff:ff:ff:ff',
    operstate: up ? 6 : 2,
    carrier: 1,
    protoDown: 0,
    master: 0,
    link: 0,
    linkNetnsid: undefined,
    linkmode: 0,
    kind: 'veth',
    slaveKind: '',
    alias: '',
    qdisc: 'noqueue',
    info: undefined,
    slaveInfo: undefined,
  };
}

function address(index: number, local: string, validLft = 0xffffffff): NativeAddress {
  return {
    family: AF_INET,
    prefixlen: 24,
    scope: 0,
    flags: 0x80,
    index,
    local,
    address: local,
    label: `l${index}`,
    validLft,
    preferredLft: validLft,
  };
}

function route(dst: string, oif: number, extra: Partial<NativeRoute> = {}): NativeRoute {
  return {
    family: AF_INET,
    dstLen: 24,
    srcLen: 0,
    tos: 0,
    protocol: 3,
    scope: 253,
    type: 1,
    table: 254,
    flags: 0,
    oif,
    dst,
    ...extra,
  };
}

const ev = {
  link: (action: 'new' | 'delete', value: NativeLink): NativeStreamItem => ({
    type: 'event',
    kind: 'link',
    action,
    value,
  }),
  address: (action: 'new' | 'delete', value: NativeAddress): NativeStreamItem => ({
    type: 'event',
    kind: 'address',
    action,
    value,
  }),
  route: (action: 'new' | 'delete' | 'replace', value: NativeRoute): NativeStreamItem => ({
    type: 'event',
    kind: 'route',
    action,
    value,
  }),
};
const overrun: NativeStreamItem = { type: 'overrun' };
const fence = (seq: number): NativeStreamItem => ({ type: 'fence', seq });

/** A stream with scripted dumps (answered by the test) and fences (numbered 1, 2, ...). */
function harness(deliver: NativeEventKind[] = ['link', 'address', 'route'], routeCheck = true, nexthopCheck = false) {
  const out: StreamOutput[] = [];
  const dumps: Array<{ scope: DumpScope; answer: (s: Partial<DumpState>) => Promise<void> }> = [];
  /** The name of each route's link when it was handed out (what the monitor puts in the event). */
  const devs: Array<string | undefined> = [];
  /** What was handed out, each netconf event with its link's name then: 'netconf 5 l5', 'link l5'. */
  const confNames: string[] = [];
  const failures: unknown[] = [];
  let fences = 0;
  const stream = new MonitorStream(
    { deliver: new Set(deliver), routeCheck, nexthopCheck },
    {
      dump: (scope) =>
        new Promise((resolve) => {
          dumps.push({
            scope,
            answer: async (s) => {
              resolve({
                links: [],
                addresses: [],
                routes: [],
                neighbours: [],
                rules: [],
                nexthops: [],
                netconf: [],
                ...s,
              });
              await new Promise((r) => setImmediate(r)); // let the stream take it
            },
          });
        }),
      fence: () => ++fences,
      deliver: (o) => {
        out.push(o);
        if (o.type === 'event' && o.kind === 'route') devs.push(stream.linkName((o.value as NativeRoute).oif));
        // A netconf event's link name as the monitor gives it, when it is handed out.
        if (o.type === 'event' && o.kind === 'netconf') {
          const index = (o.value as NativeNetconf).ifindex as number;
          confNames.push(`netconf ${index} ${stream.linkName(index) ?? o.linkName ?? '?'}`);
        } else
          confNames.push(o.type === 'event' && o.kind === 'link' ? `link ${(o.value as NativeLink).name}` : o.type);
      },
      fail: (e) => failures.push(e),
    },
  );
  /** What was handed out, readably: 'link new l1 1400', 'resync overrun', 'route delete 198.19.0.0 (synthesized)' */
  const said = () =>
    out.map((o) => {
      if (o.type === 'resync') return `resync ${o.reason}`;
      const v = o.value as NativeLink & NativeRoute & NativeAddress;
      const what = o.kind === 'link' ? `${v.name} ${v.mtu}` : o.kind === 'route' ? `${v.dst}` : `${v.local}`;
      return `${o.kind} ${o.action} ${what}${o.synthesized ? ' (synthesized)' : ''}`;
    });
  /** The routes a consumer applying what was handed out ends with, as `dst via gateway dev oif`. */
  const routes = () => {
    const held = new Map<string, NativeRoute>();
    for (const o of out) {
      if (o.type === 'resync') {
        held.clear();
        for (const r of o.state.routes) held.set(keyOf('route', r), r);
      } else if (o.kind === 'route') {
        if (o.action === 'new') held.set(keyOf('route', o.value), o.value as NativeRoute);
        else held.delete(keyOf('route', o.value));
      }
    }
    return [...held.values()].map((r) => `${r.dst} via ${r.gateway ?? '-'} dev ${r.oif}`).sort();
  };
  /** The routes handed out, with the name their link had then: 'route new 198.19.1.0 dev l1'. */
  const named = () =>
    out
      .flatMap((o) =>
        o.type === 'event' && o.kind === 'route' ? [`route ${o.action} ${(o.value as NativeRoute).dst}`] : [],
      )
      .map((line, i) => `${line} dev ${devs[i] ?? '?'}`);
  return { stream, out, dumps, failures, said, routes, named, confNames, fences: () => fences };
}

describe('monitor stream: events and overruns', () => {
  it('hands events out in order as they come when nothing was lost', () => {
    const h = harness(['link'], false);
    h.stream.push([ev.link('new', link(1, 1400)), ev.link('new', link(1, 1300)), ev.link('delete', link(1, 1300))]);
    expect(h.said()).toEqual(['link new l1 1400', 'link new l1 1300', 'link delete l1 1300']);
    expect(h.dumps).toHaveLength(0);
  });

  it('after an overrun: a dump requested after it, the window held until the fence, then the resync', async () => {
    const h = harness(['link'], false);
    h.stream.push([ev.link('new', link(1, 1400)), overrun, ev.link('new', link(1, 1300))]);
    // Before the loss: handed out. After it: held, the dump may or may not reflect it.
    expect(h.said()).toEqual(['link new l1 1400']);
    expect(h.dumps.map((d) => d.scope)).toEqual(['full']);
    expect(h.stream.held).toBe(1);
    await h.dumps[0]!.answer({ links: [link(1, 1300)] });
    expect(h.fences()).toBe(1); // sent once the dump completed
    h.stream.push([ev.link('new', link(1, 1200))]); // still inside the window
    expect(h.said()).toEqual(['link new l1 1400']);
    h.stream.push([fence(1), ev.link('new', link(1, 1100))]);
    // The dump read 1300: that event is reflected, 1200 came after the read, 1100 after the fence.
    expect(h.said()).toEqual(['link new l1 1400', 'resync overrun', 'link new l1 1200', 'link new l1 1100']);
  });

  it('never hands out an older state after the resync: the last event equal to the dump wins', async () => {
    // Three changes inside the window; the dump read the object after the second.
    const h = harness(['link'], false);
    h.stream.push([
      overrun,
      ev.link('new', link(1, 1400)),
      ev.link('new', link(1, 1300)),
      ev.link('new', link(1, 1200)),
    ]);
    await h.dumps[0]!.answer({ links: [link(1, 1300)] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun', 'link new l1 1200']);
  });

  it('hands out every event of the window when the dump read the object before all of them', async () => {
    const h = harness(['link'], false);
    h.stream.push([overrun, ev.link('new', link(1, 1400)), ev.link('new', link(1, 1300))]);
    await h.dumps[0]!.answer({ links: [link(1, 1500)] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun', 'link new l1 1400', 'link new l1 1300']);
  });

  it('returns to an earlier value (A, B, A): the consumer still ends at the kernel state', async () => {
    const h = harness(['link'], false);
    h.stream.push([
      overrun,
      ev.link('new', link(1, 1400)),
      ev.link('new', link(1, 1300)),
      ev.link('new', link(1, 1400)),
    ]);
    await h.dumps[0]!.answer({ links: [link(1, 1400)] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun']);
  });

  it('a delete is reflected when the dump lacks the object; a later re-creation is not', async () => {
    const h = harness(['link'], false);
    h.stream.push([overrun, ev.link('delete', link(2, 1500)), ev.link('new', link(2, 1500))]);
    await h.dumps[0]!.answer({ links: [] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun', 'link new l2 1500']);
  });

  it('address lifetimes, which count down, do not make a state differ', async () => {
    const h = harness(['address'], false);
    h.stream.push([overrun, ev.address('new', address(1, '198.18.0.1', 300))]);
    await h.dumps[0]!.answer({ addresses: [address(1, '198.18.0.1', 299)] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun']);
  });

  it('a second overrun while the dump is in flight makes it dump again, after the second loss', async () => {
    const h = harness(['link'], false);
    h.stream.push([overrun, ev.link('new', link(1, 1400))]);
    h.stream.push([overrun, ev.link('new', link(1, 1300))]);
    await h.dumps[0]!.answer({ links: [link(1, 1400)] }); // predates the second loss: thrown away
    expect(h.fences()).toBe(0);
    expect(h.dumps).toHaveLength(2);
    await h.dumps[1]!.answer({ links: [link(1, 1300)] });
    h.stream.push([fence(1)]);
    // 1400 came before the second loss: handed out as it is, before the resync.
    expect(h.said()).toEqual(['link new l1 1400', 'resync overrun']);
  });

  it('events from before a loss go out before the resync, even when the dump read a lost change', async () => {
    // What the kernel does: 1300-1302 were queued, then the queue overflowed and 1303-1599 were
    // lost; the dump reads 1599, which no event says. Were 1300-1302 inside the window, none
    // would match the dump and all would come after the resync, older than it.
    const h = harness(['link'], false);
    h.stream.push([ev.link('new', link(1, 1300)), ev.link('new', link(1, 1301)), overrun]);
    await h.dumps[0]!.answer({ links: [link(1, 1599)] });
    h.stream.push([fence(1), ev.link('new', link(1, 1500))]);
    expect(h.said()).toEqual(['link new l1 1300', 'link new l1 1301', 'resync overrun', 'link new l1 1500']);
  });

  it('an overrun after the dump completed (its fence may be lost) dumps again', async () => {
    const h = harness(['link'], false);
    h.stream.push([overrun]);
    await h.dumps[0]!.answer({ links: [link(1, 1400)] });
    h.stream.push([overrun, ev.link('new', link(1, 1300))]);
    expect(h.dumps).toHaveLength(2);
    h.stream.push([fence(1)]); // the first fence: its group no longer waits for it
    expect(h.said()).toEqual([]);
    await h.dumps[1]!.answer({ links: [link(1, 1300)] });
    h.stream.push([fence(2)]);
    expect(h.said()).toEqual(['resync overrun']);
  });

  it('dropped while behind; a resync when asked again; what came meanwhile is discarded', async () => {
    const h = harness(['link'], false);
    h.stream.push([overrun, ev.link('new', link(1, 1400))]);
    h.stream.drop();
    expect(h.stream.held).toBe(0);
    h.stream.push([ev.link('new', link(1, 1300)), overrun]);
    expect(h.said()).toEqual([]);
    h.stream.resync('overflow');
    await h.dumps[0]!.answer({ links: [link(1, 1400)] }); // the dump requested before the drop
    expect(h.fences()).toBe(0);
    await h.dumps[1]!.answer({ links: [link(1, 1300)] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overflow']);
  });

  it('flush hands out what is held, as read', () => {
    const h = harness(['link'], false);
    h.stream.push([overrun, ev.link('new', link(1, 1400))]);
    h.stream.flush();
    expect(h.said()).toEqual(['link new l1 1400']);
  });

  it('resync events hold only the kinds delivered; cached and non-IP routes are never handed out', async () => {
    const h = harness(['route'], true);
    h.stream.push([
      ev.route('new', route('198.19.0.0', 1, { flags: RTM_F_CLONED })),
      ev.route('new', route('198.19.1.0', 1, { family: 128 })),
      ev.route('new', route('fd00::', 1, { family: AF_INET6, dstLen: 64 })),
    ]);
    expect(h.said()).toEqual(['route new fd00::']);
  });
});

describe('monitor stream: IPv4 routes the kernel removes silently', () => {
  it('a link going down: deletes synthesized right after it for the routes the dump lacks', async () => {
    const h = harness();
    const up = link(1, 1500, true);
    const r0 = route('198.19.0.0', 1);
    const r1 = route('198.19.1.0', 1);
    h.stream.push([ev.link('new', up), ev.route('new', r0), ev.route('new', r1)]);
    h.stream.push([ev.link('new', link(1, 1500, false)), ev.address('new', address(2, '198.18.0.1'))]);
    expect(h.dumps.map((d) => d.scope)).toEqual(['routes']);
    expect(h.said()).toEqual(['link new l1 1500', 'route new 198.19.0.0', 'route new 198.19.1.0']);
    await h.dumps[0]!.answer({ routes: [] });
    h.stream.push([fence(1)]);
    expect(h.said().slice(3)).toEqual([
      'link new l1 1500',
      'route delete 198.19.0.0 (synthesized)',
      'route delete 198.19.1.0 (synthesized)',
      'address new 198.18.0.1',
    ]);
    expect(h.out.filter((o) => o.type === 'resync')).toEqual([]);
  });

  it('no delete for a route the dump still has, or one whose own notification came after the trigger', async () => {
    const h = harness();
    const r0 = route('198.19.0.0', 1);
    const r1 = route('198.19.1.0', 2);
    const r2 = route('198.19.2.0', 1);
    h.stream.push([ev.link('new', link(1, 1500, true)), ev.route('new', r0), ev.route('new', r1), ev.route('new', r2)]);
    h.stream.push([ev.link('new', link(1, 1500, false)), ev.route('delete', r2)]);
    await h.dumps[0]!.answer({ routes: [r1] });
    h.stream.push([fence(1)]);
    expect(h.said().slice(4)).toEqual([
      'link new l1 1500',
      'route delete 198.19.0.0 (synthesized)',
      'route delete 198.19.2.0',
    ]);
  });

  it('a route added again after the trigger and present in the dump is not deleted', async () => {
    const h = harness();
    const r0 = route('198.19.0.0', 1);
    h.stream.push([ev.link('new', link(1, 1500, true)), ev.route('new', r0)]);
    h.stream.push([ev.link('new', link(1, 1500, false)), ev.link('new', link(1, 1500, true)), ev.route('new', r0)]);
    await h.dumps[0]!.answer({ routes: [r0] });
    h.stream.push([fence(1)]);
    expect(h.said().filter((s) => s.includes('synthesized'))).toEqual([]);
  });

  it('triggers read while a dump is in flight share the next dump; each delete goes after the trigger that removed it', async () => {
    const h = harness();
    const r0 = route('198.19.0.0', 1);
    const r1 = route('198.19.1.0', 2);
    const r2 = route('198.19.2.0', 2);
    h.stream.push([ev.link('new', link(1, 1500, true)), ev.link('new', link(2, 1500, true))]);
    h.stream.push([ev.route('new', r0), ev.route('new', r1)]);
    h.stream.push([ev.link('new', link(1, 1500, false))]); // trigger A: its own dump
    h.stream.push([ev.route('new', r2), ev.link('new', link(2, 1500, false))]); // trigger B
    h.stream.push([ev.address('delete', address(3, '198.18.0.1'))]); // trigger C, shares B's dump
    expect(h.dumps).toHaveLength(1);
    await h.dumps[0]!.answer({ routes: [r1, r2] }); // A removed r0; B had not happened yet
    expect(h.dumps).toHaveLength(2);
    h.stream.push([fence(1)]);
    await h.dumps[1]!.answer({ routes: [] });
    h.stream.push([fence(2)]);
    expect(h.said().slice(4)).toEqual([
      'link new l1 1500',
      'route delete 198.19.0.0 (synthesized)',
      'route new 198.19.2.0',
      'link new l2 1500',
      'route delete 198.19.1.0 (synthesized)',
      'route delete 198.19.2.0 (synthesized)',
      'address delete 198.18.0.1',
    ]);
  });

  it('a link not known to be down is a trigger when it goes down; after a resync, a new link is not', async () => {
    const h = harness();
    h.stream.push([ev.link('new', link(1, 1500))]); // nothing known about it: it may have been up
    expect(h.dumps.map((d) => d.scope)).toEqual(['routes']);
    await h.dumps[0]!.answer({ routes: [] });
    h.stream.push([fence(1), ev.link('new', link(1, 1400))]); // known down: no check
    expect(h.dumps).toHaveLength(1);
    h.stream.resync('initial');
    await h.dumps[1]!.answer({ links: [link(1, 1400)] });
    h.stream.push([fence(2), ev.link('new', link(2, 1500))]); // every link known: a new one
    expect(h.dumps).toHaveLength(2);
    expect(h.said()).toEqual(['link new l1 1500', 'link new l1 1400', 'resync initial', 'link new l2 1500']);
  });

  it('a dump made after a later trigger: each delete still goes after the trigger that explains it', async () => {
    // Both changes happen before the first check's dump is made, so it lacks all four routes.
    const h = harness();
    const r0 = route('198.19.0.0', 1);
    const r1 = route('198.19.1.0', 2);
    const src = route('198.19.2.0', 3, { prefsrc: '198.18.0.1' });
    h.stream.push([
      ev.link('new', link(1, 1500, true)),
      ev.link('new', link(2, 1500, true)),
      ev.link('new', link(3, 1500, true)),
    ]);
    h.stream.push([ev.route('new', r0), ev.route('new', r1), ev.route('new', src)]);
    h.stream.push([ev.link('new', link(1, 1500, false)), ev.address('delete', address(2, '198.18.0.1'))]);
    await h.dumps[0]!.answer({ routes: [] });
    h.stream.push([fence(1)]);
    await h.dumps[1]!.answer({ routes: [] });
    h.stream.push([fence(2)]);
    expect(h.said().slice(6)).toEqual([
      'link new l1 1500',
      'route delete 198.19.0.0 (synthesized)',
      'address delete 198.18.0.1',
      'route delete 198.19.1.0 (synthesized)',
      'route delete 198.19.2.0 (synthesized)',
    ]);
  });

  it('a resync whose window holds a later route check hands out only up to its trigger', async () => {
    const h = harness();
    h.stream.resync('initial');
    h.stream.push([ev.link('new', link(1, 1500, true)), ev.route('new', route('198.19.0.0', 1))]);
    h.stream.push([ev.link('new', link(1, 1500, false)), ev.link('new', link(2, 1500, true))]);
    expect(h.dumps.map((d) => d.scope)).toEqual(['full']); // the check waits for the resync's dump
    // The resync's dump read everything before the link went down.
    await h.dumps[0]!.answer({ links: [link(1, 1500, true)], routes: [route('198.19.0.0', 1)] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync initial']);
    await h.dumps[1]!.answer({ routes: [] });
    h.stream.push([fence(2)]);
    expect(h.said()).toEqual([
      'resync initial',
      'link new l1 1500',
      'route delete 198.19.0.0 (synthesized)',
      'link new l2 1500',
    ]);
  });

  it('with every route known, only a change that can remove one of them is checked', async () => {
    const h = harness();
    h.stream.resync('initial');
    const r1 = route('198.19.1.0', 1);
    const r2 = route('198.19.2.0', 2, { prefsrc: '198.18.2.1' });
    await h.dumps[0]!.answer({
      links: [link(1, 1500, true), link(2, 1500, true), link(3, 1500, true)],
      routes: [r1, r2],
    });
    h.stream.push([fence(1)]);
    h.stream.push([ev.link('new', link(3, 1500, false))]); // no route through link 3
    h.stream.push([ev.address('delete', address(3, '198.18.3.1'))]); // nor using its address
    expect(h.dumps).toHaveLength(1);
    h.stream.push([ev.route('new', route('198.19.3.0', 3)), ev.link('new', link(3, 1400, false))]); // down already
    h.stream.push([ev.link('delete', link(3, 1400, false))]); // read, not yet handed out: a route through it
    expect(h.dumps.map((d) => d.scope)).toEqual(['full', 'routes']);
    h.stream.push([ev.address('delete', address(1, '198.18.2.1'))]); // r2 uses it as its source
    expect(h.dumps).toHaveLength(2); // shares the next check, still to be requested
    await h.dumps[1]!.answer({ routes: [r1] });
    h.stream.push([fence(2)]);
    await h.dumps[2]!.answer({ routes: [r1] });
    h.stream.push([fence(3)]);
    expect(h.said().filter((x) => x.includes('synthesized'))).toEqual([
      'route delete 198.19.3.0 (synthesized)',
      'route delete 198.19.2.0 (synthesized)',
    ]);
  });

  it('a change read after the dump that removes no known route does not stand for a removal the dump shows', async () => {
    // The dump read the routes before the route below was added; the address removed after it
    // is on a link no route goes through, so it starts no check and explains no removal.
    const h = harness();
    h.stream.resync('initial');
    const r1 = route('198.19.1.0', 1);
    await h.dumps[0]!.answer({ links: [link(1, 1500, true), link(2, 1500), link(3, 1500, true)], routes: [r1] });
    h.stream.push([fence(1)]);
    h.stream.push([ev.link('new', link(1, 1500, false))]);
    expect(h.dumps.map((d) => d.scope)).toEqual(['full', 'routes']);
    await h.dumps[1]!.answer({ routes: [] });
    const via = route('198.19.3.0', 3, { gateway: '198.18.3.3', scope: 0 });
    h.stream.push([ev.route('new', via), ev.address('delete', address(2, '198.18.9.1'))]);
    expect(h.dumps).toHaveLength(2);
    h.stream.push([fence(2)]);
    expect(h.said().slice(1)).toEqual([
      'link new l1 1500',
      'route delete 198.19.1.0 (synthesized)',
      'route new 198.19.3.0',
      'address delete 198.18.9.1',
    ]);
    expect(h.routes()).toEqual(['198.19.3.0 via 198.18.3.3 dev 3']);
  });

  it('a nexthop object deleted is a trigger: the routes through it the dump lacks get a delete right after it', async () => {
    const h = harness(['route']);
    const nexthop = (id: number, action: 'new' | 'delete' = 'delete'): NativeStreamItem => ({
      type: 'event',
      kind: 'nexthop',
      action,
      value: { id, family: AF_INET, scope: 253, protocol: 0, flags: 0, blackhole: 0, fdb: 0 },
    });
    const viaOne = route('198.19.0.0', 1, { nhid: 1 });
    const viaGroup = route('198.19.1.0', 0, { nhid: 10 });
    const plain = route('198.19.2.0', 1);
    h.stream.push([ev.route('new', viaOne), ev.route('new', viaGroup), ev.route('new', plain)]);
    // A nexthop added (new) is no trigger; one deleted is.
    h.stream.push([nexthop(2, 'new')]);
    expect(h.dumps).toHaveLength(0);
    h.stream.push([nexthop(1)]);
    expect(h.dumps.map((d) => d.scope)).toEqual(['routes']);
    await h.dumps[0]!.answer({ routes: [viaGroup, plain] });
    h.stream.push([fence(1)]);
    // Nexthop events are read for this alone: not handed out unless asked for.
    expect(h.said().slice(3)).toEqual(['route delete 198.19.0.0 (synthesized)']);
  });

  it('an IPv4 address removed is a trigger; an IPv6 one is not (IPv6 announces its route removals)', () => {
    const h = harness();
    h.stream.push([ev.address('delete', { ...address(1, 'fd00::1'), family: AF_INET6 })]);
    expect(h.dumps).toHaveLength(0);
    h.stream.push([ev.address('delete', address(1, '198.18.0.1'))]);
    expect(h.dumps.map((d) => d.scope)).toEqual(['routes']);
  });

  it('an overrun cancels pending route checks: the resync covers them', async () => {
    const h = harness();
    h.stream.push([ev.link('new', link(1, 1500, true)), ev.route('new', route('198.19.0.0', 1))]);
    h.stream.push([ev.link('new', link(1, 1500, false)), overrun]);
    await h.dumps[0]!.answer({ routes: [] }); // the cancelled route check's dump
    expect(h.fences()).toBe(0);
    expect(h.dumps.map((d) => d.scope)).toEqual(['routes', 'full']);
    await h.dumps[1]!.answer({ links: [link(1, 1500, false)], routes: [] });
    h.stream.push([fence(1)]);
    // The trigger came before the loss: handed out as it is; the resync has the routes right.
    expect(h.said()).toEqual(['link new l1 1500', 'route new 198.19.0.0', 'link new l1 1500', 'resync overrun']);
  });

  it('a resync whose dump waits for another: what was read before it was requested is not handed out after it', async () => {
    // A check's dump is in flight when the overrun comes, so the resync's dump is requested only
    // once it is back. Meanwhile a route is added and its link goes down, removing it silently.
    const h = harness();
    const r0 = route('198.19.0.0', 1);
    const r2 = route('198.19.2.0', 2);
    h.stream.push([ev.link('new', link(1, 1500, true)), ev.route('new', r0), ev.link('new', link(1, 1500, false))]);
    h.stream.push([overrun, ev.link('new', link(2, 1500, true)), ev.route('new', r2)]);
    h.stream.push([ev.link('new', link(2, 1500, false))]);
    expect(h.dumps.map((d) => d.scope)).toEqual(['routes']);
    await h.dumps[0]!.answer({ routes: [] }); // the cancelled check's
    expect(h.dumps.map((d) => d.scope)).toEqual(['routes', 'full']);
    await h.dumps[1]!.answer({ links: [link(1, 1500, false), link(2, 1500, false)], routes: [] });
    h.stream.push([fence(1)]);
    expect(h.said().slice(3)).toEqual(['resync overrun']);
    expect(h.routes()).toEqual([]);
  });

  it('a failing dump ends the stream through fail()', async () => {
    const failures: unknown[] = [];
    const stream = new MonitorStream(
      { deliver: new Set(['link']), routeCheck: false },
      {
        dump: () => Promise.reject(new Error('EBADF')),
        fence: () => 1,
        deliver: () => undefined,
        fail: (e) => failures.push(e),
      },
    );
    stream.push([overrun]);
    await new Promise((r) => setImmediate(r));
    expect(failures).toEqual([new Error('EBADF')]);
  });
});

describe('monitor stream: routes replaced (NLM_F_REPLACE)', () => {
  // One destination, three next hops: what `ip route replace 198.19.3.0/24 dev ...|via ...` makes.
  const byDev = route('198.19.3.0', 2);
  const byOther = route('198.19.3.0', 4);
  const via = route('198.19.3.0', 3, { gateway: '198.18.3.3', scope: 0 });

  it('the route replaced gets a synthesized delete right before the new one', async () => {
    const h = harness(['route'], false);
    h.stream.resync('initial');
    await h.dumps[0]!.answer({ routes: [byDev] });
    h.stream.push([fence(1), ev.route('replace', via)]);
    expect(h.said()).toEqual(['resync initial', 'route delete 198.19.3.0 (synthesized)', 'route new 198.19.3.0']);
    expect(h.routes()).toEqual(['198.19.3.0 via 198.18.3.3 dev 3']);
  });

  it('replaced twice in a resync window, the dump read after both: nothing older is handed out', async () => {
    // The second replace removed the route the first one added: that is the newest change the
    // dump reflects for it, so the first replace (whose delete would now hit `via`) goes too.
    const h = harness(['route'], false);
    h.stream.push([overrun, ev.route('replace', byOther), ev.route('replace', via)]);
    await h.dumps[0]!.answer({ routes: [via] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun']);
    expect(h.routes()).toEqual(['198.19.3.0 via 198.18.3.3 dev 3']);
  });

  it('replaced twice in a resync window, the dump read between them: the second replace follows', async () => {
    const h = harness(['route'], false);
    h.stream.push([overrun, ev.route('replace', byOther), ev.route('replace', via)]);
    await h.dumps[0]!.answer({ routes: [byOther] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun', 'route delete 198.19.3.0 (synthesized)', 'route new 198.19.3.0']);
    expect(h.routes()).toEqual(['198.19.3.0 via 198.18.3.3 dev 3']);
  });

  it('replaced twice in a resync window, the dump read before both: the replaced route goes', async () => {
    // The dump lacks the route the first replace added, as it is after the second: that one is
    // not handed out; the second replaces the route the dump read.
    const h = harness(['route'], false);
    h.stream.push([overrun, ev.route('replace', byOther), ev.route('replace', via)]);
    await h.dumps[0]!.answer({ routes: [byDev] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun', 'route delete 198.19.3.0 (synthesized)', 'route new 198.19.3.0']);
    expect(h.out[1]).toMatchObject({ value: { oif: 2 } });
    expect(h.routes()).toEqual(['198.19.3.0 via 198.18.3.3 dev 3']);
  });

  it('IPv6 routes that differ only in their source prefix (from) are two routes; a replace ends its own', async () => {
    // `ip -6 route add default from fd00:1::/64 via fd00::1 dev l2`, and the same from fd00:2::/64.
    const from = (src: string, gateway: string) =>
      route('', 2, { family: AF_INET6, dst: undefined, dstLen: 0, src, srcLen: 64, gateway, scope: 0, priority: 1024 });
    const one = from('fd00:1::', 'fd00::1');
    const two = from('fd00:2::', 'fd00::1');
    const oneReplaced = from('fd00:1::', 'fd00::3');
    expect(keyOf('route', one)).not.toBe(keyOf('route', two));
    const h = harness(['route'], false);
    h.stream.resync('initial');
    await h.dumps[0]!.answer({ routes: [one, two] });
    h.stream.push([fence(1), ev.route('replace', oneReplaced)]);
    const handed = h.out.flatMap((o) =>
      o.type === 'event'
        ? [
            `${o.action} from ${(o.value as NativeRoute).src} via ${(o.value as NativeRoute).gateway}${o.synthesized ? ' (synthesized)' : ''}`,
          ]
        : [],
    );
    expect(handed).toEqual(['delete from fd00:1:: via fd00::1 (synthesized)', 'new from fd00:1:: via fd00::3']);
    const held = new Map<string, NativeRoute>();
    for (const o of h.out) {
      if (o.type === 'resync') for (const r of o.state.routes) held.set(keyOf('route', r), r);
      else if (o.action === 'new') held.set(keyOf('route', o.value), o.value as NativeRoute);
      else held.delete(keyOf('route', o.value));
    }
    expect([...held.values()].map((r) => `${r.src} via ${r.gateway}`).sort()).toEqual([
      'fd00:1:: via fd00::3',
      'fd00:2:: via fd00::1',
    ]);
  });

  it('replaced and replaced back in a resync window, the dump read after both: the resync alone', async () => {
    const h = harness(['route'], false);
    h.stream.push([overrun, ev.route('replace', via), ev.route('replace', byDev)]);
    await h.dumps[0]!.answer({ routes: [byDev] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun']);
    expect(h.routes()).toEqual(['198.19.3.0 via - dev 2']);
  });
});

describe('monitor stream: the names of the links already there (no initial state)', () => {
  it('a links dump placed like a resync’s: the window held until its fence, then handed out whole, named', async () => {
    const h = harness(['route'], true);
    h.stream.names();
    expect(h.dumps.map((d) => d.scope)).toEqual(['links']);
    h.stream.push([
      ev.route('new', route('198.19.1.0', 1)),
      ev.link('new', link(2, 1500, true)), // a link made meanwhile: the dump may or may not have it
      ev.route('new', route('198.19.2.0', 2)),
    ]);
    expect(h.said()).toEqual([]);
    await h.dumps[0]!.answer({ links: [link(1, 1500, true), link(2, 1500, true)] });
    h.stream.push([fence(1), ev.route('new', route('198.19.3.0', 1))]);
    // No resync (there is no state to replace), and nothing the dump reflects is dropped.
    expect(h.said()).toEqual(['route new 198.19.1.0', 'route new 198.19.2.0', 'route new 198.19.3.0']);
    expect(h.named()).toEqual([
      'route new 198.19.1.0 dev l1',
      'route new 198.19.2.0 dev l2',
      'route new 198.19.3.0 dev l1',
    ]);
    expect(h.dumps).toHaveLength(1);
  });

  it('a link deleted before the dump read the links is named from its own event, for the events before it', async () => {
    const h = harness(['route'], true);
    h.stream.names();
    h.stream.push([ev.route('delete', route('198.19.1.0', 3)), ev.link('delete', link(3, 1500, true))]);
    await h.dumps[0]!.answer({ links: [link(1, 1500, true)] });
    h.stream.push([fence(1)]);
    expect(h.named()).toEqual(['route delete 198.19.1.0 dev l3']);
    // The link's delete is a trigger: its route check (the next dump) hands it out.
    expect(h.dumps.map((d) => d.scope)).toEqual(['links', 'routes']);
    await h.dumps[1]!.answer({ routes: [] });
    h.stream.push([fence(2)]);
    expect(h.stream.linkName(3)).toBeUndefined(); // gone, as its delete said
  });

  it('an overrun meanwhile makes it a resync of everything', async () => {
    const h = harness(['route'], true);
    h.stream.names();
    h.stream.push([overrun, ev.route('new', route('198.19.1.0', 1))]);
    await h.dumps[0]!.answer({ links: [link(1, 1500, true)] }); // read before the loss: again
    expect(h.dumps.map((d) => d.scope)).toEqual(['links', 'full']);
    await h.dumps[1]!.answer({ links: [link(1, 1500, true)], routes: [route('198.19.1.0', 1)] });
    h.stream.push([fence(1)]);
    expect(h.said()).toEqual(['resync overrun']);
  });
});

describe('monitor stream: netconf entries (a change carries only its value)', () => {
  const conf = (values: Partial<NativeNetconf>): NativeStreamItem => ({
    type: 'event',
    kind: 'netconf',
    action: 'new',
    value: { family: AF_INET, ifindex: 3, ...values },
  });
  const whole = (forwarding: number, rpFilter: number): NativeNetconf => ({
    family: AF_INET,
    ifindex: 3,
    forwarding,
    rpFilter,
    proxyNeigh: 0,
  });
  const handed = (out: StreamOutput[]): Array<string | NativeNetconf> =>
    out.map((o) => (o.type === 'event' ? (o.value as NativeNetconf) : `resync ${o.reason}`));

  it('each value is compared with the dump alone: a value the dump read before is not lost to a later one it matches', async () => {
    // forwarding on, rp_filter 1, forwarding off; the dump read the entry before all three.
    const h = harness(['netconf'], false);
    h.stream.push([overrun, conf({ forwarding: 1 }), conf({ rpFilter: 1 }), conf({ forwarding: 0 })]);
    await h.dumps[0]!.answer({ netconf: [whole(0, 0)] });
    h.stream.push([fence(1)]);
    // The last event equals the dump in its one value (forwarding: it and the one before go, as
    // for any object), yet rp_filter 1 came after the read: compared as a whole, it would go too.
    expect(handed(h.out)).toEqual(['resync overrun', { family: AF_INET, ifindex: 3, rpFilter: 1 }]);
  });

  it('drops the values the dump reflects, and keeps the rest of an event', async () => {
    // A new entry (every value), then rp_filter 2; the dump read after the first.
    const h = harness(['netconf'], false);
    h.stream.push([overrun, conf({ forwarding: 1, rpFilter: 0, proxyNeigh: 0 }), conf({ rpFilter: 2 })]);
    await h.dumps[0]!.answer({ netconf: [whole(1, 0)], links: [link(3, 1500)] });
    h.stream.push([fence(1), conf({ forwarding: 0 })]);
    expect(handed(h.out)).toEqual([
      'resync overrun',
      { family: AF_INET, ifindex: 3, rpFilter: 2 },
      { family: AF_INET, ifindex: 3, forwarding: 0 },
    ]);
  });

  it("a link's delete the dump reflects (no entry) goes", async () => {
    const h = harness(['netconf'], false);
    h.stream.push([
      overrun,
      conf({ rpFilter: 2 }),
      { type: 'event', kind: 'netconf', action: 'delete', value: { family: AF_INET, ifindex: 3 } },
    ]);
    await h.dumps[0]!.answer({ netconf: [] });
    h.stream.push([fence(1)]);
    expect(handed(h.out)).toEqual(['resync overrun']);
  });
});

describe("monitor stream: a new link's netconf entries, sent before the link's own event", () => {
  const entry = (family: number, ifindex: number): NativeStreamItem => ({
    type: 'event',
    kind: 'netconf',
    action: 'new',
    value: { family, ifindex, forwarding: 0 },
  });
  const names = (h: ReturnType<typeof harness>): string[] => h.confNames;

  it("named from the link's event read with them: no dump, no wait", () => {
    const h = harness(['netconf', 'link'], false);
    h.stream.push([entry(AF_INET, 5), entry(AF_INET6, 5), ev.link('new', link(5, 1500))]);
    expect(names(h)).toEqual(['netconf 5 l5', 'netconf 5 l5', 'link l5']);
    expect(h.dumps).toEqual([]);
  });

  it('the link event in a later read: a links dump placed before them names them; what follows waits for it, in order', async () => {
    const h = harness(['netconf', 'link'], false);
    h.stream.push([ev.link('new', link(4, 1500)), entry(AF_INET, 5)]);
    expect(names(h)).toEqual(['link l4']);
    expect(h.dumps.map((d) => d.scope)).toEqual(['links']);
    h.stream.push([entry(AF_INET6, 5), ev.link('new', link(5, 1500))]);
    expect(names(h)).toEqual(['link l4']); // held until the dump's fence
    await h.dumps[0]!.answer({ links: [link(4, 1500), link(5, 1500)] });
    h.stream.push([fence(1), entry(AF_INET, 4)]);
    expect(names(h)).toEqual(['link l4', 'netconf 5 l5', 'netconf 5 l5', 'link l5', 'netconf 4 l4']);
    expect(h.dumps).toHaveLength(1);
  });

  it('a resync about to read the links names them: no dump of its own', async () => {
    const h = harness(['netconf', 'link'], false);
    h.stream.push([overrun, entry(AF_INET, 5)]);
    expect(h.dumps.map((d) => d.scope)).toEqual(['full']);
    await h.dumps[0]!.answer({ links: [link(5, 1500)] });
    h.stream.push([fence(1)]);
    expect(names(h)).toEqual(['resync', 'netconf 5 l5']);
    expect(h.dumps).toHaveLength(1);
  });

  it('"all" and "default" (negative indexes) and known links need nothing', () => {
    const h = harness(['netconf', 'link'], false);
    h.stream.push([ev.link('new', link(2, 1500)), entry(AF_INET, -1), entry(AF_INET, -2), entry(AF_INET, 2)]);
    expect(h.dumps).toEqual([]);
    expect(names(h)).toEqual(['link l2', 'netconf -1 ?', 'netconf -2 ?', 'netconf 2 l2']);
  });
});

describe('monitor stream: nexthop objects a link takes silently', () => {
  const nh = (id: number, oif: number): NativeNexthopObject => ({
    id,
    family: AF_INET,
    scope: 0,
    protocol: 0,
    flags: 0,
    blackhole: 0,
    fdb: 0,
    oif,
  });
  const group = (id: number, ...members: number[]): NativeNexthopObject => ({
    id,
    family: 0,
    scope: 0,
    protocol: 0,
    flags: 0,
    blackhole: 0,
    fdb: 0,
    group: members.map((m) => ({ id: m, weight: 0 })),
  });
  const said = (out: StreamOutput[]): string[] =>
    out.map((o) =>
      o.type === 'resync'
        ? `resync ${o.reason}`
        : `${o.kind} ${o.action} ${o.kind === 'nexthop' ? (o.value as NativeNexthopObject).id : (o.value as NativeLink).index}${o.synthesized ? ' (synthesized)' : ''}`,
    );

  it("a link down: a check dumps the nexthops; the ones on it go, then the groups that held them change or go, right after the link's event", async () => {
    const h = harness(['link', 'nexthop'], false, true);
    h.stream.resync('initial');
    const all = [nh(1, 2), nh(2, 3), nh(3, 3), group(10, 1, 2), group(11, 3)];
    await h.dumps[0]!.answer({ links: [link(2, 1500, true), link(3, 1500, true)], nexthops: all });
    h.stream.push([fence(1), ev.link('new', link(3, 1500, false))]);
    expect(h.dumps.map((d) => d.scope)).toEqual(['full', 'routes']);
    await h.dumps[1]!.answer({ nexthops: [nh(1, 2), group(10, 1)] });
    h.stream.push([{ type: 'event', kind: 'nexthop', action: 'new', value: nh(4, 2) }, fence(2)]);
    expect(said(h.out)).toEqual([
      'resync initial',
      'link new 3',
      'nexthop delete 2 (synthesized)',
      'nexthop delete 3 (synthesized)',
      'nexthop new 10 (synthesized)',
      'nexthop delete 11 (synthesized)',
      'nexthop new 4',
    ]);
    const shrunk = h.out[4] as Extract<StreamOutput, { type: 'event' }>;
    expect((shrunk.value as NativeNexthopObject).group).toEqual([{ id: 1, weight: 0 }]);
  });

  it('a link without carrier is a trigger only when a nexthop known goes through it', async () => {
    const h = harness(['link', 'nexthop'], false, true);
    h.stream.resync('initial');
    await h.dumps[0]!.answer({ links: [link(2, 1500, true), link(3, 1500, true)], nexthops: [nh(1, 2)] });
    h.stream.push([fence(1), ev.link('new', link(3, 1400, true))]); // up, no carrier, no nexthop
    expect(h.dumps).toHaveLength(1);
    h.stream.push([ev.link('new', link(2, 1400, true))]); // nexthop 1's link
    expect(h.dumps.map((d) => d.scope)).toEqual(['full', 'routes']);
    await h.dumps[1]!.answer({ nexthops: [] });
    h.stream.push([fence(2)]);
    expect(said(h.out).slice(-2)).toEqual(['link new 2', 'nexthop delete 1 (synthesized)']);
  });

  it('a group whose notification came after the trigger is left as notified', async () => {
    const h = harness(['link', 'nexthop'], false, true);
    h.stream.resync('initial');
    await h.dumps[0]!.answer({
      links: [link(2, 1500, true), link(3, 1500, true)],
      nexthops: [nh(1, 2), nh(2, 3), group(10, 1, 2)],
    });
    h.stream.push([fence(1), ev.link('delete', link(3, 1500, false))]);
    h.stream.push([{ type: 'event', kind: 'nexthop', action: 'new', value: group(10, 1) }]);
    await h.dumps[1]!.answer({ nexthops: [nh(1, 2), group(10, 1)] });
    h.stream.push([fence(2)]);
    expect(said(h.out)).toEqual([
      'resync initial',
      'link delete 3',
      'nexthop delete 2 (synthesized)',
      'nexthop new 10',
    ]);
  });
});
