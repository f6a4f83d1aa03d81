import { useConnection, useUnread } from '@osu-chat/react';
import { Avatar } from './Avatar.js';
import { ChannelList } from './ChannelList.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { Icon } from './Icon.js';

interface SidebarProps {
  selected: number | null;
  onSelect: (channelId: number) => void;
  onBrowse: () => void;
  onNewMessage: () => void;
  onSettings: () => void;
  inspectorOpen: boolean;
  onToggleInspector: () => void;
}

/** Brand, connection, channel list and the signed-in user. */
export function Sidebar(props: SidebarProps) {
  const { user, mode } = useConnection();
  const { mentions } = useUnread();
  return (
    <aside className="sidebar">
      <header className="brand">
        <span className="brand-logo" aria-hidden="true" />
        <span className="brand-name">
          osu!<b>chat</b>
        </span>
        {mentions > 0 && (
          <span className="pill mention" title={`${mentions} unread mentions`}>
            @{mentions}
          </span>
        )}
      </header>
      <ConnectionBadge />
      <div className="sidebar-actions">
        <button type="button" onClick={props.onBrowse}>
          <Icon name="search" /> Browse channels
        </button>
        <button type="button" onClick={props.onNewMessage}>
          <Icon name="pencil" /> New message
        </button>
      </div>
      <ChannelList selected={props.selected} onSelect={props.onSelect} />
      <footer className="me">
        <Avatar url={user?.avatarUrl} name={user?.username ?? '?'} size={32} />
        <div className="me-text">
          <span className="me-name">{user?.username ?? 'Signing in…'}</span>
          <span className="me-mode">{mode === 'lazer' ? 'lazer token (*)' : 'third-party token'}</span>
        </div>
        <button
          type="button"
          className={props.inspectorOpen ? 'icon-button active' : 'icon-button'}
          aria-pressed={props.inspectorOpen}
          aria-label="Session inspector"
          title="Session inspector"
          onClick={props.onToggleInspector}
        >
          <Icon name="pulse" size={18} />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label="Settings"
          title="Settings"
          onClick={props.onSettings}
        >
          <Icon name="sliders" size={18} />
        </button>
      </footer>
    </aside>
  );
}
