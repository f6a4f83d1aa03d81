/**
 * The value stored at `key`, or a fresh one from `create()` stored there first: how the world grows its
 * nested indexes (channel → user → membership, user → notifications, …) without assigning inside expressions.
 *
 * @example
 * getOrCreate(members, channelId, () => new Map()).set(userId, membership);
 */
export function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
