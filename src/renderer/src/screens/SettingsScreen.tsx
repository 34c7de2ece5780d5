/**
 * Settings: business details for receipts, the recurring-charge scheduler's interval and
 * on/off, the mock gateway's behaviour (changeable in test mode), and where the data lives.
 * The forms start from the values read when the screen opens (not from an earlier visit's).
 */
import { useEffect } from 'react';
import {
  BusinessForm,
  GatewayForm,
  SchedulerSettingsForm,
} from '../components/settings/SettingsForms';
import { ErrorState, Loading } from '../components/States';
import { loadSettings, openSettings, useSettings } from '../store/settings';

export function SettingsScreen() {
  const { settings, info, loading, error } = useSettings();
  useEffect(() => void openSettings(), []);
  return (
    <>
      <h1 tabIndex={-1}>Settings</h1>
      {error && <ErrorState message={error} onRetry={() => void loadSettings()} />}
      {loading && !settings && <Loading>Loading the settings…</Loading>}
      {settings && info && (
        <div className="columns">
          <div className="stack">
            <BusinessForm settings={settings} />
            <section className="panel" aria-labelledby="data-title">
              <h2 id="data-title">Data</h2>
              <dl className="facts">
                <dt>Data directory</dt>
                <dd>
                  <code className="path">{info.dataDir}</code>
                </dd>
                <dt>Clock</dt>
                <dd>
                  {info.clock === 'test' ? 'Test clock (moves only when advanced)' : 'System'}
                </dd>
              </dl>
            </section>
          </div>
          <div className="stack">
            <SchedulerSettingsForm settings={settings} />
            <GatewayForm info={info} />
          </div>
        </div>
      )}
    </>
  );
}
