/** The main navigation between screens (a landmark), one button per screen. */
import { SCREEN_NAMES, SCREENS, goTo, useNavigation } from '../store/navigation';

export function Nav() {
  const screen = useNavigation((s) => s.screen);
  return (
    <nav aria-label="Main" className="nav">
      <ul>
        {SCREENS.map((s) => (
          <li key={s}>
            <button
              type="button"
              className="nav-button"
              aria-current={s === screen ? 'page' : undefined}
              onClick={() => {
                goTo(s);
                // Move focus to the new screen's heading, as a page load would.
                requestAnimationFrame(() =>
                  document.querySelector<HTMLElement>('main h1')?.focus(),
                );
              }}
            >
              {SCREEN_NAMES[s]}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
