import { checkSignal, type AbortOptions } from '../internal/abort';
import { invalid } from '../internal/errors';
import { checkLinkName, checkMtu, parseMac } from '../internal/validate';
import { Link, checkNamespaceArg, createLink, registerLinkKind } from '../link';
import { Namespace } from '../namespace';
import { checkCreateLimits, type LinkCreateLimits } from '../link-create-limits';
import type { NativeLinkRequest } from '../native/surface';

/** Options for {@link Ifb.create}. */
export interface IfbOptions extends AbortOptions, LinkCreateLimits {
  /** Where to create it. Default: the namespace this process runs in. */
  namespace?: Namespace;
  mtu?: number;
  /** MAC address; default random. */
  mac?: string;
}

/** An ifb has no attributes of its own. */
export type IfbInfo = Record<string, never>;

/**
 * An intermediate functional block: a link that traffic redirected to it by tc (`action
 * mirred egress redirect dev ifb0`) passes through, so that incoming traffic can be shaped like
 * outgoing traffic. `ip link add NAME type ifb`.
 *
 * @example
 * ```ts
 * const ifb = await Ifb.create('ifb0', { namespace: ns });
 * await ifb.up();
 * ```
 */
export class Ifb extends Link {
  /**
   * Creates an ifb (down, as every new link).
   * @throws NetnsError EEXIST if the name is taken; EINVAL for bad options.
   */
  static async create(name: string, options: IfbOptions = {}): Promise<Ifb> {
    const operation = `create ifb "${String(name)}"`;
    checkLinkName(name, operation);
    if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
    const ns = options.namespace ?? Namespace.current();
    checkNamespaceArg(ns, operation);
    const where = `${operation}${ns.where}`;
    const link: NativeLinkRequest = { name, kind: 'ifb', ...checkCreateLimits(options, where) };
    if (options.mtu !== undefined) link.mtu = checkMtu(options.mtu, where);
    if (options.mac !== undefined) link.address = parseMac(options.mac, where);
    const signal = checkSignal(options.signal, where);
    return (await createLink({ link, namespace: ns, operation: where, signal })) as Ifb;
  }

  override get info(): IfbInfo {
    return {};
  }
}

registerLinkKind('ifb', Ifb, () => ({}));
