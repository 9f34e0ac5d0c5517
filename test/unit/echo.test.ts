/**
 * The echo an add waits for (lib/echo.ts): the first object the kernel sent back, or, from a
 * kernel that sent only the ACK, EPROTO saying so (never a hang, never undefined as a result).
 */
import { NetnsError } from '../../lib/internal/errors';
import { echoedObject } from '../../lib/echo';

describe('echoedObject', () => {
  it('the first object echoed, as ip prints the first answer', () => {
    expect(echoedObject([{ a: 1 }, { a: 2 }], 'add rule', 'rule')).toEqual({ a: 1 });
  });

  it('nothing echoed (only the ACK came, or an empty list): EPROTO naming what was made', () => {
    for (const none of [undefined, []]) {
      let error: unknown;
      try {
        echoedObject(none, 'add address 198.18.101.5/24 to e0', 'address');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NetnsError);
      expect(error).toMatchObject({ code: 'EPROTO', operation: 'add address 198.18.101.5/24 to e0' });
      expect((error as Error).message).toMatch(
        /^cannot add address 198\.18\.101\.5\/24 to e0: the kernel made the address but did not send it back .*NLM_F_ECHO.* \(EPROTO\)$/,
      );
    }
  });
});
