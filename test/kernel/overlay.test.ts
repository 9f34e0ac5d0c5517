/** The two-host VXLAN overlay example (examples/overlay.ts) runs, carries traffic, cleans up. */
import { OVERLAY_NAMESPACES, overlay } from '../../examples/overlay';
import { uniqueName } from '../helpers/fresh';
import { netnsNames } from '../helpers/ip';
import { describeKernel, itIf, kernelHasLinkKind } from '../helpers/skip';

describeKernel('examples: the VXLAN overlay', () => {
  itIf(kernelHasLinkKind('vxlan', ['id', '1', 'dstport', '4789']), 'this kernel has no vxlan')(
    'two hosts, a VXLAN overlay between their bridges: the containers ping each other and 1 MiB crosses intact',
    async () => {
      const prefix = `${uniqueName()}-`;
      const lines: string[] = [];
      const print = {
        step: (t: string) => lines.push(`# ${t}`),
        cmd: (t: string) => lines.push(`$ ${t}`),
        show: (t: string) => lines.push(t),
      };
      const r = await overlay({ prefix, print });
      expect(r.pings.map((p) => [p.transmitted, p.received])).toEqual([
        [3, 3],
        [3, 3],
      ]);
      expect(r.received).toBe(1 << 20);
      expect(r.intact).toBe(true);
      // The MiB went out through host1's VXLAN device (as GSO segments: count bytes, not packets).
      expect(r.vxlanTxBytes).toBeGreaterThan(1 << 20);
      // It says what it does in `ip` and `bridge` terms.
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^\$ ip -n .*host1 link add vxlan42 type vxlan id 42 local 198\.18\.100\.1 dev eth0 dstport 4789 nolearning$/,
          ),
          expect.stringMatching(
            /^\$ ip netns exec .*host1 bridge fdb append 00:00:00:00:00:00 dev vxlan42 dst 198\.18\.100\.2$/,
          ),
          expect.stringMatching(/^received 1048576 bytes, sha256 [0-9a-f]{16}\.\.\. intact$/),
        ]),
      );
      // Nothing left behind.
      const names = OVERLAY_NAMESPACES.map((n) => `${prefix}${n}`);
      expect(netnsNames().filter((n) => names.includes(n))).toEqual([]);
    },
  );
});
