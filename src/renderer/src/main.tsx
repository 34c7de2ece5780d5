/** Entry point of the renderer: pick the transport (Electron bridge or HTTP) and render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { restoreScreen } from './lib/route';
import { setTransport } from './store/connection';
import { getTransport } from './transport';
import './styles/app.css';

setTransport(getTransport());
// After the transport took the token from the URL: a reload shows the screen it was on.
restoreScreen();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
