// The soak's verdict: each client's channels against the server's messages, and each send against what the
// server holds. Pure functions over plain data, so the rules are easy to read and to test.

/**
 * Compares one client's loaded messages of a channel with the server's. The client may hold only the newest
 * part (the newest page, or the per-channel cap evicted older ones), so the reference is the server's tail
 * from the client's oldest loaded id; a client that loaded nothing while the server has messages lost them
 * all.
 *
 * @param {{ id: number, content: string }[]} client the client's sent messages, in its order
 * @param {{ id: number, content: string }[]} server the server's messages, ascending by id
 */
export function compareChannel(client, server) {
  const result = {
    checked: client.length,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    phantom: 0,
    altered: 0,
    /** Ids of the lost messages, for the report. */
    lostIds: [],
  };
  const byId = new Map(server.map((m) => [m.id, m]));
  const seen = new Set();
  for (let i = 0; i < client.length; i += 1) {
    const message = client[i];
    if (seen.has(message.id)) result.duplicated += 1;
    seen.add(message.id);
    if (i > 0 && message.id <= client[i - 1].id) result.outOfOrder += 1;
    const original = byId.get(message.id);
    if (!original) result.phantom += 1;
    else if (original.content !== message.content) result.altered += 1;
  }
  const first = client.length > 0 ? client[0].id : Number.POSITIVE_INFINITY;
  const tail = client.length > 0 ? server.filter((m) => m.id >= first) : server;
  for (const message of tail) {
    if (seen.has(message.id)) continue;
    result.lost += 1;
    result.lostIds.push(message.id);
  }
  return result;
}

/**
 * Checks every send. Each send record is `{ userId, channelId, text, state, id }` with `state` one of
 * `sent` (the promise resolved with message `id`), `failed` (it rejected with a ChatError) or `pending`.
 * Every resolved send must name a distinct server message of its user with its text. A text found on the
 * server more often than sends of it resolved is a double post, unless a failed send of that text explains
 * the copy (reported as `failedButDelivered`: the send's fate was unknown when it gave up).
 *
 * @param {{ userId: number, channelId: number, text: string, state: string, id: number | null }[]} sends
 * @param {{ id: number, channelId: number, senderId: number, content: string }[]} serverMessages
 */
export function checkSends(sends, serverMessages) {
  const result = {
    sends: sends.length,
    delivered: 0,
    failed: 0,
    unsettled: 0,
    lostSends: 0,
    misattributed: 0,
    doublePosted: 0,
    failedButDelivered: 0,
  };
  const byId = new Map(serverMessages.map((m) => [m.id, m]));
  const key = (userId, channelId, text) => `${userId}/${channelId}/${text}`;
  const onServer = new Map();
  for (const m of serverMessages) {
    const k = key(m.senderId, m.channelId, m.content);
    onServer.set(k, (onServer.get(k) ?? 0) + 1);
  }
  const resolvedIds = new Set();
  const perText = new Map();
  for (const send of sends) {
    const k = key(send.userId, send.channelId, send.text);
    const tally = perText.get(k) ?? { sent: 0, failed: 0 };
    perText.set(k, tally);
    if (send.state === 'pending') {
      result.unsettled += 1;
      continue;
    }
    if (send.state === 'failed') {
      result.failed += 1;
      tally.failed += 1;
      continue;
    }
    result.delivered += 1;
    tally.sent += 1;
    const original = byId.get(send.id);
    const matches =
      original &&
      original.senderId === send.userId &&
      original.channelId === send.channelId &&
      original.content === send.text;
    if (!matches) result.lostSends += 1;
    if (resolvedIds.has(send.id)) result.misattributed += 1;
    resolvedIds.add(send.id);
  }
  for (const [k, tally] of perText) {
    const extra = (onServer.get(k) ?? 0) - tally.sent;
    if (extra <= 0) continue;
    const explained = Math.min(extra, tally.failed);
    result.failedButDelivered += explained;
    result.doublePosted += extra - explained;
  }
  return result;
}

/** Adds up per-channel results. */
export function sumResults(results) {
  const total = { checked: 0, lost: 0, duplicated: 0, outOfOrder: 0, phantom: 0, altered: 0 };
  for (const result of results) for (const k of Object.keys(total)) total[k] += result[k];
  return total;
}
