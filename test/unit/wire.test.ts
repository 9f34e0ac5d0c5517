/**
 * The wire schema (native/addon/convert/schema.h): the addon exports it, lib/native/wire.ts
 * builds its encoder from it and checks its own declarations against it at load. No root needed.
 */
import { addon } from '../../lib/native/load';
import { flatten } from '../../lib/native/wire';

describe('wire schema', () => {
  const schema = addon.schema;

  it('numbers the fields of a struct from 1 and ends it with 0', () => {
    const link = schema.structs.link.map(([name]) => name);
    const mtuTag = link.indexOf('mtu') + 1;
    const indexTag = link.indexOf('index') + 1;
    const newlink = schema.ops.newlink!;
    const linkArgTag = newlink.args.findIndex(([name]) => name === 'link') + 1;
    expect(flatten([{ op: 'newlink', link: { index: 7, mtu: 1400 } }])).toEqual([
      newlink.code,
      linkArgTag,
      indexTag,
      7,
      mtuTag,
      1400,
      0, // end of the link
      0, // end of the arguments
    ]);
  });

  it("encodes a kind's attributes with the kind's own table, nested links included (a veth peer)", () => {
    const veth = schema.kinds.veth!;
    expect(veth).toEqual([['peer', 'link']]);
    const flat = flatten([{ op: 'newlink', link: { name: 'a', kind: 'veth', info: { peer: { name: 'b' } } } }]);
    const nameTag = schema.structs.link.findIndex(([n]) => n === 'name') + 1;
    // ... name 'a' ... kind 'veth' ... info: [peer tag 1, [name 'b', 0], 0] ...
    expect(flat).toEqual(expect.arrayContaining(['a', 'veth', 'b']));
    const b = flat.indexOf('b');
    expect(flat[b - 1]).toBe(nameTag);
    expect(flat.slice(b + 1)).toEqual([0, 0, 0, 0]); // peer, info, link, arguments
  });

  it('lists every registered link kind and the bridge port attributes', () => {
    expect(Object.keys(schema.kinds)).toEqual(expect.arrayContaining(['bridge', 'veth']));
    expect(schema.kinds.bridge).toEqual(expect.arrayContaining([['stpState', 'u32']]));
    expect(schema.slaveKinds.bridge).toEqual(expect.arrayContaining([['hairpin', 'u8']]));
  });

  it('refuses an operation the schema does not have', () => {
    expect(() => flatten([{ op: 'no-such-op' } as never])).toThrow(/unknown operation/);
  });

  it('declares every result field the TypeScript side reads, in the packed order', () => {
    const numbers = schema.results.linkNumbers.map(([n]) => n);
    expect(numbers.slice(0, 4)).toEqual(['index', 'type', 'flags', 'mtu']);
    expect(schema.results.linkNumbers).toContainEqual(['linkNetnsid', 'optional']);
    expect(schema.results.route).toContainEqual(['priority', 'optional']);
  });

  it("carries a route's TOS both ways (rtm_tos): in requests as a u8, in routes read back", () => {
    expect(schema.structs.route).toContainEqual(['tos', 'u8']);
    expect(schema.results.route).toContainEqual(['tos', 'number']);
    const route = { family: 2, dstLen: 24, tos: 0x10 };
    const tag = (name: string) => schema.structs.route.findIndex(([n]) => n === name) + 1;
    const delroute = schema.ops.delroute!;
    const routeArgTag = delroute.args.findIndex(([name]) => name === 'route') + 1;
    // Fields in the schema's order, each (tag, value); then the ends of the route and arguments.
    const fields = Object.entries(route)
      .map(([name, value]) => [tag(name), value])
      .sort(([a], [b]) => (a as number) - (b as number))
      .flat();
    expect(flatten([{ op: 'delroute', route }])).toEqual([delroute.code, routeArgTag, ...fields, 0, 0]);
  });
});
