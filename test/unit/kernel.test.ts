import { NetnsError } from '../../lib/internal/errors';
import { checkKernel, MIN_KERNEL } from '../../lib/native/kernel';

describe('the minimum kernel', () => {
  it('is 4.11', () => {
    expect(MIN_KERNEL).toEqual([4, 11]);
  });

  it('refuses an older kernel with ENOSYS and a sentence naming both versions', () => {
    for (const release of ['4.10.17-generic', '3.10.0-1160.el7.x86_64', '2.6.32']) {
      let caught: unknown;
      try {
        checkKernel(release);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(NetnsError);
      expect((caught as NetnsError).code).toBe('ENOSYS');
      expect((caught as NetnsError).message).toBe(
        `cannot load netns-native: it needs Linux 4.11 or later, and this kernel is ${release} (ENOSYS)`,
      );
    }
  });

  it('accepts 4.11 and later, and releases it cannot read', () => {
    for (const release of ['4.11.0', '4.14.355-amzn2', '4.18.0-553.el8_10.x86_64', '5.4.0-42', '10.0.1', 'custom']) {
      expect(() => checkKernel(release)).not.toThrow();
    }
  });

  it('accepts the kernel this runs on', () => {
    expect(() => checkKernel()).not.toThrow();
  });
});
