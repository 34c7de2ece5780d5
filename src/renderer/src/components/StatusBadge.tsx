/** A payment's or subscription's status as a coloured badge (text, not colour alone). */
import { statusText } from '../lib/format';

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{statusText(status)}</span>;
}
