/** Renders the whole App over a fake transport, with the stores reset first. */
import { render, type RenderResult } from '@testing-library/react';
import { App } from '../../src/renderer/src/App';
import { setTransport } from '../../src/renderer/src/store/connection';
import { goTo, type Screen } from '../../src/renderer/src/store/navigation';
import { resetStores } from '../../src/renderer/src/store/reset';
import { createFakeTransport, type FakeOptions, type FakeTransport } from './fake-transport';

export function renderApp(
  options: FakeOptions & { screen?: Screen } = {},
): RenderResult & { fake: FakeTransport } {
  const fake = createFakeTransport(options);
  resetStores();
  setTransport(fake);
  if (options.screen) goTo(options.screen);
  return { ...render(<App />), fake };
}

/** happy-dom does no layout: give scroll containers a size so the virtualizer renders rows. */
export function fakeLayout(height = 600, width = 900): void {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get: () => height,
  });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
    configurable: true,
    get: () => width,
  });
}
