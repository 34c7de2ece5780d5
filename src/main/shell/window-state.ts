/**
 * The main window's size and position, remembered in a small JSON file in userData. The file
 * comes from disk, so it is validated with zod on read (anything odd means "no saved state"),
 * and the saved bounds are fitted into a display's work area so the window never opens
 * off-screen after a monitor was unplugged or the resolution changed.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { PRIVATE_FILE_MODE } from '../core/private-files';

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_SIZE = { width: 1280, height: 800 } as const;
export const MIN_SIZE = { width: 900, height: 600 } as const;

const coordinate = z.number().int().min(-100_000).max(100_000);
const length = z.number().int().min(1).max(100_000);

export const windowStateSchema = z
  .object({
    x: coordinate.optional(),
    y: coordinate.optional(),
    width: length,
    height: length,
    maximized: z.boolean().default(false),
  })
  .refine((s) => (s.x === undefined) === (s.y === undefined), { message: 'x and y go together' });
export type WindowState = z.infer<typeof windowStateSchema>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export type Placement = { width: number; height: number; x?: number; y?: number };

/** The saved state, or null when there is none or it does not validate. */
export function readWindowState(file: string): WindowState | null {
  try {
    const parsed = windowStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Writes the state atomically (temp file, then rename). Losing it is harmless: no throw. */
export function writeWindowState(file: string, state: WindowState): boolean {
  try {
    const temp = `${file}.tmp`;
    // Private like every file of the data directory (../core/private-files.ts).
    writeFileSync(temp, `${JSON.stringify(state)}\n`, { mode: PRIVATE_FILE_MODE });
    renameSync(temp, file);
    return true;
  } catch {
    return false;
  }
}

const clamp = (value: number, min: number, max: number): number =>
  Math.min(Math.max(value, min), max);

/**
 * Fits a window into a work area: its size at least MIN_SIZE (unless the area is smaller) and
 * at most the area; its position inside the area, or centred when it has none.
 */
export function fitToWorkArea(window: Placement, area: Rect): Rect {
  const width = Math.min(Math.max(window.width, MIN_SIZE.width), area.width);
  const height = Math.min(Math.max(window.height, MIN_SIZE.height), area.height);
  const centred = window.x === undefined || window.y === undefined;
  const x = centred ? area.x + Math.floor((area.width - width) / 2) : (window.x ?? area.x);
  const y = centred ? area.y + Math.floor((area.height - height) / 2) : (window.y ?? area.y);
  return {
    x: clamp(x, area.x, area.x + area.width - width),
    y: clamp(y, area.y, area.y + area.height - height),
    width,
    height,
  };
}

/** The part of Electron's `screen` used to find a display for the saved bounds. */
export interface ScreenLike {
  getDisplayMatching(rect: Rect): { workArea: Rect };
  getPrimaryDisplay(): { workArea: Rect };
}

/** Where the window opens: the saved bounds on the display they overlap most, or the default. */
export function placeWindow(
  saved: WindowState | null,
  screen: ScreenLike,
): Rect & { maximized: boolean } {
  if (saved === null || saved.x === undefined || saved.y === undefined) {
    const size = saved ?? DEFAULT_SIZE;
    return {
      ...fitToWorkArea(
        { width: size.width, height: size.height },
        screen.getPrimaryDisplay().workArea,
      ),
      maximized: saved?.maximized ?? false,
    };
  }
  const rect = { x: saved.x, y: saved.y, width: saved.width, height: saved.height };
  return {
    ...fitToWorkArea(rect, screen.getDisplayMatching(rect).workArea),
    maximized: saved.maximized,
  };
}
