/**
 * The command's realms word (lib/cli/realms-word.ts) as iproute2 6.1's get_rt_realms_or_raw reads
 * it, against the system's rt_realms (0 is cosmos on most systems, 'unknown' built in without
 * it), and the words ip prints for them. No root needed.
 */
import { realmsWord, realmsWords, realmsJson } from '../../lib/cli/realms-word';
import { Words } from '../../lib/cli/words';
import { readRealmNames } from '../../lib/rt-names';

const read = (value: string): unknown => realmsWord(new Words([value], 'route'), 'realms');
const zero = readRealmNames().names.get(0) ?? 'unknown';

describe('realmsWord', () => {
  it.each([
    ['5', { realm: 5, both: false }],
    ['3/5', { realm: 5, sourceRealm: 3, both: true }],
    ['3/', { realm: 0, sourceRealm: 3, both: false }],
    ['0/7', { realm: 7, sourceRealm: 0, both: true }],
    ['3/0', { realm: 0, sourceRealm: 3, both: true }],
    ['0x10/010', { realm: 8, sourceRealm: 16, both: true }],
    // Above 255 only as one raw number, SRC << 16 | DST.
    ['300', { realm: 300, both: false }],
    ['196613', { realm: 5, sourceRealm: 3, both: true }],
    ['0x30005', { realm: 5, sourceRealm: 3, both: true }],
    [zero, { realm: 0, both: false }],
    [`4/${zero}`, { realm: 0, sourceRealm: 4, both: true }],
  ])('%s', (value, want) => {
    expect(read(value)).toEqual(want);
  });

  it.each(['256/1', '1/256', '/5', 'nosuchrealm', '3/5/7', '0x100000000', '-1', ''])('refuses %j', (value) => {
    expect(() => read(value)).toThrow(/realms needs \[SRC\/\]DST/);
  });
});

describe('realmsWords and realmsJson (print_rta_flow, print_rule)', () => {
  it('realm D alone, realms S/D with a source, names where rt_realms has them', () => {
    expect(realmsWords({})).toEqual([]);
    expect(realmsWords({ realm: 7 })).toEqual(['realm', '7']);
    expect(realmsWords({ realm: 0, sourceRealm: 3 })).toEqual(['realms', `3/${zero}`]);
    expect(realmsWords({ realm: 300, sourceRealm: 65535 })).toEqual(['realms', '65535/300']);
    expect(realmsJson({ realm: 5 })).toEqual({ to: '5' });
    expect(realmsJson({ realm: 5, sourceRealm: 3 })).toEqual({ from: '3', to: '5' });
    expect(realmsJson({})).toBeUndefined();
  });
});
