/**
 * @module testing/sign-cps
 * Konnect's third format, `cps` (SPEC 2: not documented publicly), for
 * fixtures and tests: a JSON event wrapped as `{"event":{...}}`. It is signed
 * like a JSON line (SPEC 3): the message is the whole line without the `sig`
 * member and its comma. Where Konnect puts the sig in a cps line is not
 * documented, so both places are made: inside the event and beside it.
 */
import { insertSigMember, signMessage, type SigningKey } from './sign-lines.js';

export const cpsSigPlaces = ['event-last', 'event-first', 'wrapper-last', 'wrapper-first'] as const;
export type CpsSigPlace = (typeof cpsSigPlaces)[number];

/** `{"event":<event>}`: the unsigned cps line of a compact JSON event object. */
export function wrapCps(eventJson: string): string {
  return `{"event":${eventJson}}`;
}

/** The cps line of `eventJson` with a `sig` member at `place` (default inside the event, last, as in a JSON line). */
export function signCpsLine(eventJson: string, key: SigningKey, place: CpsSigPlace = 'event-last'): string {
  const unsigned = wrapCps(eventJson);
  const member = `"sig":"${signMessage(unsigned, key)}"`;
  switch (place) {
    case 'event-last':
      return wrapCps(insertSigMember(eventJson, member, 'last'));
    case 'event-first':
      return wrapCps(insertSigMember(eventJson, member, 'first'));
    case 'wrapper-last':
      return insertSigMember(unsigned, member, 'last');
    case 'wrapper-first':
      return insertSigMember(unsigned, member, 'first');
  }
}
