import type { Continuity } from '@osu-chat/react';

/** Says when the loaded messages may be incomplete: catching up after a reconnect, or a gap that stays. */
export function ContinuityBanner({ continuity }: { continuity: Continuity }) {
  if (continuity === 'live') return null;
  return (
    <div className={`banner banner-${continuity}`} role="status" data-continuity={continuity}>
      {continuity === 'recovering'
        ? 'Catching up on messages sent while you were disconnected…'
        : 'Some messages from while you were away could not be loaded: there is a gap above.'}
    </div>
  );
}
