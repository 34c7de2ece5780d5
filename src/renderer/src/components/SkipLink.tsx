/**
 * "Skip to main content": the first Tab stop of the page, shown only when focused; it moves
 * the focus to the screen's heading, past the navigation. The URL's hash names the screen
 * (lib/route.ts), so the link moves the focus itself instead of following its href.
 */
export function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#main"
      onClick={(e) => {
        e.preventDefault();
        document.querySelector<HTMLElement>('main h1')?.focus();
      }}
    >
      Skip to main content
    </a>
  );
}
