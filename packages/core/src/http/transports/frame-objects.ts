import type { GapReason, LogEntry } from '../../log/broker';
import type { EndReason } from '../../engine/subscriber';

/**
 * The frame objects XHR streaming and the forever iframe carry (PROTOCOL.md, "Frames shared by the
 * streaming transports"), as JSON text. Each transport only wraps them (a line, a script call).
 */
export const frameObjects = {
  /** `{"type":"message","channel","cursor","data"}`: the message's own JSON with a type in front. */
  message: (entry: LogEntry): string => `{"type":"message",${entry.json.slice(1)}`,
  open: (cursor: string, heartbeatMs: number): string => `{"type":"open","cursor":"${cursor}","heartbeatMs":${heartbeatMs}}`,
  gap: (reason: GapReason, from: string, cursor: string): string =>
    `{"type":"gap","reason":"${reason}","from":${JSON.stringify(from)},"cursor":"${cursor}"}`,
  heartbeat: (): string => '{"type":"heartbeat"}',
  end: (reason: EndReason, cursor: string): string => `{"type":"end","reason":"${reason}","cursor":"${cursor}"}`,
} as const;
