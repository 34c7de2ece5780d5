/** Whether the "Keyboard shortcuts" dialog is open (`?` opens it, Escape closes it). */
import { create } from 'zustand';

export interface ShortcutsHelpState {
  open: boolean;
}

export const initialShortcutsHelp: ShortcutsHelpState = { open: false };
export const useShortcutsHelp = create<ShortcutsHelpState>()(() => initialShortcutsHelp);

export const openShortcutsHelp = (): void => useShortcutsHelp.setState({ open: true });
export const closeShortcutsHelp = (): void => useShortcutsHelp.setState({ open: false });
export const isShortcutsHelpOpen = (): boolean => useShortcutsHelp.getState().open;
