/**
 * Spanning tree bridge ids (struct ifla_bridge_id: two priority bytes, then the MAC), which the
 * addon hands over as their bytes in MAC notation ('80:00:02:00:0a:0b:0c:0d';
 * native/rtnl/link/bridge.cc), in the form `bridge` and `ip -d link show` write them: the
 * priority as four hex digits, a dot, the MAC ('8000.02:00:0a:0b:0c:0d').
 */

/** '80:00:02:00:0a:0b:0c:0d' as '8000.02:00:0a:0b:0c:0d'; undefined for anything not 8 bytes. */
export function bridgeIdText(bytes: unknown): string | undefined {
  if (typeof bytes !== 'string') return undefined;
  const b = bytes.split(':');
  if (b.length !== 8) return undefined;
  return `${b[0]}${b[1]}.${b.slice(2).join(':')}`;
}
