import { describe, expect, it } from 'vitest';
import { HEADER, tokenize } from './helpers.js';

describe('CefTokens.prefix(): the text before CEF:', () => {
  it.each([
    ['ISO-8601 with Z (Kong docs, 2025)', '2025-06-23T14:28:47Z konghq.com ', { timestamp: '2025-06-23T14:28:47Z', timestampKind: 'iso8601', host: 'konghq.com' }],
    ['ISO-8601 with fraction and offset', '2025-06-23T14:28:47.123456+02:00 konghq.com ', { timestamp: '2025-06-23T14:28:47.123456+02:00', timestampKind: 'iso8601', host: 'konghq.com' }],
    ['ISO-8601 with comma fraction and compact offset', '2025-06-23T14:28:47,5-0530 h1 ', { timestamp: '2025-06-23T14:28:47,5-0530', timestampKind: 'iso8601', host: 'h1' }],
    ['ISO-8601 with an hour-only offset', '2025-06-23T14:28:47+02 h1 ', { timestamp: '2025-06-23T14:28:47+02', timestampKind: 'iso8601', host: 'h1' }],
    ['ISO-8601 without a zone', '2025-06-23T14:28:47 konghq.com ', { timestamp: '2025-06-23T14:28:47', timestampKind: 'iso8601', host: 'konghq.com' }],
    ['ISO-8601 with lower-case t and z', '2025-06-23t14:28:47z konghq.com ', { timestamp: '2025-06-23t14:28:47z', timestampKind: 'iso8601', host: 'konghq.com' }],
    ['RFC 3164 (Kong docs, 2023)', 'Apr 14 05:39:08 konghq.com ', { timestamp: 'Apr 14 05:39:08', timestampKind: 'rfc3164', host: 'konghq.com' }],
    ['RFC 3164 with a space-padded day', 'Apr  4 05:39:08 konghq.com ', { timestamp: 'Apr  4 05:39:08', timestampKind: 'rfc3164', host: 'konghq.com' }],
    ['RFC 3164 with an unpadded one-digit day', 'Apr 4 05:39:08 konghq.com ', { timestamp: 'Apr 4 05:39:08', timestampKind: 'rfc3164', host: 'konghq.com' }],
    ['timestamp without a host', '2025-06-23T14:28:47Z ', { timestamp: '2025-06-23T14:28:47Z', timestampKind: 'iso8601' }],
    ['timestamp directly before CEF:', 'Apr 14 05:39:08', { timestamp: 'Apr 14 05:39:08', timestampKind: 'rfc3164' }],
    ['no prefix', '', {}],
    ['a host without a timestamp is not recognized', 'konghq.com ', {}],
    ['a timestamp glued to more text is not one', '2025-06-23T14:28:47Zx konghq.com ', {}],
    ['a date alone is not a timestamp', '2025-06-23 konghq.com ', {}],
    ['an unknown month is not RFC 3164', 'Foo 14 05:39:08 konghq.com ', {}],
    ['a syslog PRI before the timestamp is kept as text only', '<134>Apr 14 05:39:08 konghq.com ', {}],
    ['a truncated timestamp', '2025-06-23T14:28 konghq.com ', {}],
    ['UTF-8 prefix text kept verbatim', 'héllo wörld ', {}],
  ])('%s', (_quirk, prefix, expected) => {
    const { error, tokens } = tokenize(`${prefix}${HEADER}a=1`);
    expect(error).toBeUndefined();
    expect(tokens.prefix()).toEqual({ text: prefix, ...expected });
  });
});
