import * as dnsPacket from 'dns-packet';
import { answer, buildTable, reverseName } from '../../lib/network/dns-answer';
import type { EndpointState, NetworkState } from '../../lib/network/state';

function state(endpoints: Array<Partial<EndpointState> & { address: string }>): NetworkState {
  return {
    version: 1,
    name: 'n',
    id: '0'.repeat(64),
    driver: 'bridge',
    created: '',
    hostNamespace: '1',
    bridgeName: 'br-n',
    subnet: '198.18.4.0/24',
    gateway: '198.18.4.1',
    internal: false,
    dns: true,
    endpoints: endpoints.map((e, i) => ({
      namespace: { inode: String(i) },
      aliases: [],
      interfaceName: 'eth0',
      hostInterfaceName: `veth${i}`,
      mac: '02:42:00:00:00:00',
      ports: [],
      ...e,
    })),
  };
}

const table = buildTable([
  state([
    { name: 'c1', aliases: ['web'], address: '198.18.4.2/24', ipv6Address: 'fd00::2/64' },
    { name: 'c2', aliases: ['web'], address: '198.18.4.3/24' },
    { address: '198.18.4.4/24' }, // anonymous, no name: in no table
  ]),
]);

function query(
  name: string,
  type: dnsPacket.RecordType | 'ANY',
  flags = dnsPacket.RECURSION_DESIRED,
): dnsPacket.Packet {
  return { type: 'query', id: 4242, flags, questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }] };
}

function reply(q: dnsPacket.Packet): dnsPacket.DecodedPacket & { rcode: string } {
  const r = answer(q, table);
  if (r === 'forward') throw new Error('forwarded');
  // Through the codec both ways, as on the wire.
  return dnsPacket.decode(dnsPacket.encode(r)) as dnsPacket.DecodedPacket & { rcode: string };
}

describe('DNS answering', () => {
  it("answers A for a member name, case-insensitively, with the query id, RD and RA, and no AA (as Docker's resolver)", () => {
    const r = reply(query('C1', 'A'));
    expect(r.id).toBe(4242);
    expect(r.rcode).toBe('NOERROR');
    expect(r.flag_aa).toBe(false);
    expect(r.flag_rd).toBe(true);
    expect(r.flag_ra).toBe(true);
    expect(r.answers).toEqual([expect.objectContaining({ type: 'A', name: 'C1', data: '198.18.4.2', ttl: 600 })]);
  });

  it('answers every member that shares an alias, and AAAA where there is an IPv6 address', () => {
    expect(reply(query('web.', 'A')).answers?.map((a) => (a as { data?: unknown }).data)).toEqual([
      '198.18.4.2',
      '198.18.4.3',
    ]);
    expect(reply(query('web', 'AAAA')).answers?.map((a) => (a as { data?: unknown }).data)).toEqual(['fd00::2']);
  });

  it("forwards what Docker's resolver does not serve, for a member's name too: ANY, TXT, SRV, CNAME, PTR of a name", () => {
    for (const type of ['ANY', 'TXT', 'SRV', 'CNAME', 'NS', 'SOA', 'PTR'] as const) {
      expect([type, answer(query('c1', type), table)]).toEqual([type, 'forward']);
    }
    // A member's reverse name is answered for PTR only.
    for (const type of ['ANY', 'A', 'TXT'] as const) {
      expect([type, answer(query('2.4.18.198.in-addr.arpa', type), table)]).toEqual([type, 'forward']);
    }
  });

  it('answers NAME.NETWORK, as Docker does, for names and aliases; not with another network name', () => {
    expect(reply(query('C1.N', 'A')).answers?.map((a) => (a as { data?: unknown }).data)).toEqual(['198.18.4.2']);
    expect(reply(query('web.n.', 'A')).answers?.map((a) => (a as { data?: unknown }).data)).toEqual([
      '198.18.4.2',
      '198.18.4.3',
    ]);
    expect(answer(query('c1.other', 'A'), table)).toBe('forward');
  });

  it('says NOERROR with no records (not NXDOMAIN, not silence) for a type a member has no record of', () => {
    const r = reply(query('c2', 'AAAA'));
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([]);
    expect(reply(query('c2', 'MX')).answers).toEqual([]);
  });

  it('answers PTR for member addresses with one name, NAME.NETWORK, as Docker does (not one record per alias)', () => {
    expect(reverseName('198.18.4.3')).toBe('3.4.18.198.in-addr.arpa');
    expect(reverseName('fd00::2')).toBe(`2.${'0.'.repeat(29)}d.f.ip6.arpa`);
    const ptr = (name: string) => reply(query(name, 'PTR'));
    const r = ptr('3.4.18.198.in-addr.arpa');
    expect(r.flag_aa).toBe(false);
    expect(r.answers).toEqual([
      expect.objectContaining({ type: 'PTR', name: '3.4.18.198.in-addr.arpa', data: 'c2.n', ttl: 600 }),
    ]);
    expect(ptr(reverseName('fd00::2')).answers?.map((a) => (a as { data?: unknown }).data)).toEqual(['c1.n']);
    expect(ptr('2.4.18.198.IN-ADDR.ARPA.').answers?.map((a) => (a as { data?: unknown }).data)).toEqual(['c1.n']);
  });

  it("takes a PTR's name from the member's first name (its alias when it has no name of its own), as given", () => {
    const t = buildTable([
      { ...state([{ aliases: ['Db', 'sql'], address: '198.18.4.9/24' }]), name: 'My-Net' },
      // A state read in the middle of a change that gives the same address again: the first keeps it.
      { ...state([{ name: 'late', aliases: [], address: '198.18.4.9/24' }]), name: 'other' },
    ]);
    const r = answer(query('9.4.18.198.in-addr.arpa', 'PTR'), t) as dnsPacket.Packet;
    expect(r.answers?.map((a) => (a as { data?: unknown }).data)).toEqual(['Db.My-Net']);
  });

  it("answers whatever the query's class, as Docker's resolver (it looks at the type only): IN records", () => {
    for (const cls of ['CH', 'HS', 'ANY'] as const) {
      const q = query('c1', 'A');
      (q.questions as dnsPacket.Question[])[0] = { name: 'c1', type: 'A', class: cls };
      const r = reply(q);
      expect([cls, r.rcode, r.questions?.[0]?.class]).toEqual([cls, 'NOERROR', cls]);
      expect(r.answers).toEqual([expect.objectContaining({ type: 'A', class: 'IN', data: '198.18.4.2' })]);
      const unknown = query('example.test', 'A');
      (unknown.questions as dnsPacket.Question[])[0] = { name: 'example.test', type: 'A', class: cls };
      expect(answer(unknown, table)).toBe('forward');
    }
  });

  it('with ndots set (and forwarding on), answers A/AAAA of an unknown single-label name NOERROR and empty, as Docker', () => {
    for (const type of ['A', 'AAAA'] as const) {
      for (const name of ['nosuch', 'nosuch.', 'NoSuch']) {
        const r = answer(query(name, type), table, true) as dnsPacket.Packet;
        expect(r).not.toBe('forward');
        const decoded = dnsPacket.decode(dnsPacket.encode(r)) as dnsPacket.DecodedPacket & { rcode: string };
        expect([type, name, decoded.rcode, decoded.answers, decoded.flag_ra, decoded.flag_aa]).toEqual([
          type,
          name,
          'NOERROR',
          [],
          true,
          false,
        ]);
      }
      // Names with a dot, other types, and without ndots: forwarded as ever.
      expect(answer(query('example.test', type), table, true)).toBe('forward');
      expect(answer(query('nosuch', type), table)).toBe('forward');
      // A member's name is answered as ever.
      expect((answer(query('c1', type), table, true) as dnsPacket.Packet).answers?.length).toBe(1);
    }
    for (const type of ['MX', 'TXT', 'SRV', 'PTR'] as const) {
      expect([type, answer(query('nosuch', type), table, true)]).toEqual([type, 'forward']);
    }
  });

  it('forwards other names, and refuses malformed queries with FORMERR or NOTIMP', () => {
    expect(answer(query('example.test', 'A'), table)).toBe('forward');
    expect(answer(query('198.18.4.4', 'A'), table)).toBe('forward');
    expect(answer(query('9.4.18.198.in-addr.arpa', 'PTR'), table)).toBe('forward');
    const two = {
      ...query('c1', 'A'),
      questions: [...(query('c1', 'A').questions ?? []), { name: 'c2', type: 'A' as const }],
    };
    expect(
      (dnsPacket.decode(dnsPacket.encode(answer(two, table) as dnsPacket.Packet)) as unknown as { rcode: string })
        .rcode,
    ).toBe('FORMERR');
    const status = query('c1', 'A', 2 << 11); // opcode 2: STATUS
    expect(
      (dnsPacket.decode(dnsPacket.encode(answer(status, table) as dnsPacket.Packet)) as unknown as { rcode: string })
        .rcode,
    ).toBe('NOTIMP');
  });
});
