import { dayLabel } from '../time.js';

/** "Today", "Yesterday" or the date, between messages of different days. */
export function DaySeparator({ timestamp }: { timestamp: number }) {
  return (
    <div className="day-separator">
      <span>{dayLabel(timestamp)}</span>
    </div>
  );
}
