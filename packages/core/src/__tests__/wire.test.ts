// Decoding server JSON: a user decoded again while unchanged is the same object (the ingest path allocates
// nothing for a burst's repeated senders), and any change to any field gives a fresh, correct one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUser } from '../transport/wire.js';
import type { User } from '../types.js';

/** What `decodeUser` must build from a UserCompact, written out field by field as a reference. */
function expected(json: Record<string, unknown>): User {
  const textOrNull = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    id: json.id as number,
    username: json.username as string,
    avatarUrl: textOrNull(json.avatar_url),
    countryCode: textOrNull(json.country_code) ?? '',
    isBot: json.is_bot === true,
    isOnline: json.is_online === true,
    isSupporter: json.is_supporter === true,
    profileColour: textOrNull(json.profile_colour),
    pmFriendsOnly: json.pm_friends_only === true,
  };
}

const flag = fc.constantFrom(true, false, undefined, 'true', 1);
const optionalText = fc.constantFrom('a', 'b', '', null, undefined, 3);
const fields = {
  username: fc.constantFrom('peppy', 'Peppy', 'pep py'),
  avatar_url: optionalText,
  country_code: optionalText,
  is_bot: flag,
  is_online: flag,
  is_supporter: flag,
  profile_colour: optionalText,
  pm_friends_only: flag,
};
/** One field of a UserCompact set to a value (or left out, `undefined`). */
const edit = fc.oneof(...Object.entries(fields).map(([key, value]) => value.map((v) => [key, v] as const)));

describe('decodeUser', () => {
  it('decodes every field, whatever the same user decoded to before (property-based)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.record(fields, { requiredKeys: ['username'] }),
        fc.array(edit, { minLength: 1, maxLength: 12 }),
        (id, base, edits) => {
          // One field changes at a time, so a field the cache forgot to compare shows as a stale value.
          let json: Record<string, unknown> = { id, ...base };
          let previous = decodeUser(json);
          expect(previous).toEqual(expected(json));
          for (const [key, value] of edits) {
            json = { ...json, [key]: value };
            const user = decodeUser(json);
            expect(user).toEqual(expected(json));
            // The same object again exactly when nothing it holds changed.
            expect(user === previous).toBe(JSON.stringify(user) === JSON.stringify(previous));
            previous = user;
          }
        },
      ),
    );
  });

  it('gives the same object for an unchanged user, so a burst of one sender allocates nothing', () => {
    const json = { id: 7, username: 'peppy', avatar_url: 'https://a.ppy.sh/7', country_code: 'AU' };
    const first = decodeUser(json);
    expect(decodeUser({ ...json })).toBe(first);
    const renamed = decodeUser({ ...json, username: 'peppy2' });
    expect(renamed).not.toBe(first);
    expect(renamed.username).toBe('peppy2');
  });

  it('still rejects a malformed user it has seen before under that id', () => {
    decodeUser({ id: 8, username: 'cookiezi' });
    expect(() => decodeUser({ id: 8 })).toThrow(expect.objectContaining({ kind: 'protocol' }));
    expect(() => decodeUser({ id: '8', username: 'cookiezi' })).toThrow(
      expect.objectContaining({ kind: 'protocol' }),
    );
  });
});
