/**
 * The "Keyboard shortcuts" dialog: every shortcut of SHORTCUTS (lib/shortcuts.ts, where the
 * handled ones are declared), in a native modal <dialog>. Escape or Close closes it, and
 * the focus goes back to where it was.
 */
import { useId } from 'react';
import { SHORTCUTS } from '../lib/shortcuts';
import { useModalDialog } from '../lib/use-modal-dialog';
import { closeShortcutsHelp, useShortcutsHelp } from '../store/shortcuts-help';

function DialogView() {
  const dialog = useModalDialog(closeShortcutsHelp, { returnFocus: true });
  const titleId = useId();
  return (
    <dialog {...dialog} className="dialog shortcuts-dialog" aria-labelledby={titleId}>
      <h2 id={titleId} className="dialog-title">
        Keyboard shortcuts
      </h2>
      <table className="shortcuts-table">
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action}>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span className="muted"> or </span>}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" data-autofocus onClick={closeShortcutsHelp}>
          Close
        </button>
      </div>
    </dialog>
  );
}

export function ShortcutsDialog() {
  const open = useShortcutsHelp((s) => s.open);
  return open ? <DialogView /> : null;
}
