// Notifications produced by chat sends (§5.6, `Message::dispatchNotification`): who gets a `new` event for a
// message, and the `read` event that marking a channel read sends for its unread ones.
import type { Clock } from './clock.js';
import { getOrCreate } from './getOrCreate.js';
import type { ChannelRecord, MembershipRecord, MessageRecord, UserRecord } from './types.js';

/** What notifications read from the world to find receivers and render details. */
export interface NotificationSource {
  readonly origin: string;
  readonly users: ReadonlyMap<number, UserRecord>;
  readonly members: ReadonlyMap<number, ReadonlyMap<number, MembershipRecord>>;
  findUserByName(username: string): UserRecord | undefined;
  pmUserIds(channel: ChannelRecord): [number, number];
}

type Publish = (userId: number, event: string, data: Record<string, unknown>) => void;

interface Notification {
  id: number;
  channelId: number;
  read: boolean;
}

export class Notifications {
  /** userId → their chat notifications, oldest first. */
  private readonly byUser = new Map<number, Notification[]>();
  private nextId = 1;

  constructor(
    private readonly world: NotificationSource,
    private readonly clock: Clock,
    private readonly publish: Publish,
  ) {}

  /**
   * PM → `channel_message` to both members; ANNOUNCE → `channel_announcement` and TEAM → `channel_team` to every
   * member; PUBLIC with an `@` → `channel_mention` to the first mentioned user. Never to the sender, bots, or users
   * blocking the sender (spec §5.6; the details each adds, §3.6).
   */
  dispatch(channel: ChannelRecord, sender: UserRecord, message: MessageRecord): void {
    let name: string;
    let receivers: number[];
    const details: Record<string, unknown> = {
      title: truncate(message.content, 36),
      type: channel.type.toLowerCase(),
      cover_url: `${this.world.origin}/_emulator/avatars/${sender.id}.svg`,
    };
    if (channel.type === 'PM') {
      name = 'channel_message';
      receivers = this.world.pmUserIds(channel);
    } else if (channel.type === 'ANNOUNCE') {
      name = 'channel_announcement';
      receivers = [...(this.world.members.get(channel.id)?.keys() ?? [])];
      Object.assign(details, { channel_id: channel.id, name: channel.name });
    } else if (channel.type === 'TEAM') {
      name = 'channel_team';
      receivers = [...(this.world.members.get(channel.id)?.keys() ?? [])];
      details.name = channel.name;
    } else if (channel.type === 'PUBLIC' && message.content.includes('@')) {
      const mentioned = /@([\w\-[\]]+)/.exec(message.content)?.[1];
      const target = mentioned ? this.world.findUserByName(mentioned) : undefined;
      if (!target) return;
      name = 'channel_mention';
      receivers = [target.id];
      Object.assign(details, {
        title: truncate(message.content, 200),
        message_id: message.id,
        name: channel.name,
      });
    } else {
      return;
    }
    for (const userId of receivers) {
      const user = this.world.users.get(userId);
      if (!user || user.id === sender.id || user.bot || user.blocks.has(sender.id)) continue;
      const id = this.nextId++;
      getOrCreate(this.byUser, userId, () => []).push({ id, channelId: channel.id, read: false });
      this.publish(userId, 'new', {
        id,
        name,
        created_at: new Date(message.timestamp).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        object_type: 'channel',
        object_id: channel.id,
        source_user_id: sender.id,
        is_read: false,
        details,
      });
    }
  }

  /** Marks `userId`'s unread notifications for a channel read, with one `read` event listing them. */
  markRead(userId: number, channelId: number): void {
    const unread = (this.byUser.get(userId) ?? []).filter((n) => n.channelId === channelId && !n.read);
    if (unread.length === 0) return;
    for (const n of unread) n.read = true;
    this.publish(userId, 'read', {
      notifications: unread.map((n) => ({
        category: 'channel',
        object_type: 'channel',
        object_id: channelId,
        id: n.id,
      })),
      read_count: unread.length,
      timestamp: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    });
  }

  clear(): void {
    this.byUser.clear();
    this.nextId = 1;
  }
}

/** At most `length` characters: a longer text keeps `length - 3` and ends in `...`. */
function truncate(text: string, length: number): string {
  const chars = [...text];
  return chars.length > length ? `${chars.slice(0, length - 3).join('')}...` : text;
}
