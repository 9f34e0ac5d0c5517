/**
 * Symbols shared between the public classes and kept off their public surface.
 * @internal
 */
import type { NativeHandle } from './native';

/** Namespace[kHandle](operation): its native handle, opened on first use. */
export const kHandle = Symbol('netns-native.handle');

/** Something with a native handle, opened lazily. */
export interface HandleOwner {
  [kHandle](operation: string): Promise<NativeHandle>;
  /** ' in namespace "test1"', or '' for the namespace this process runs in. */
  readonly where: string;
}
