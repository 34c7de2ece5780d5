/**
 * Settings: business details for receipts, the recurring-charge scheduler's interval and
 * on/off, backups (their settings, "Back up now", the list, how to restore), the operator
 * accounts (an admin's), the mock gateway's behaviour (changeable in test mode), and where
 * the data lives. The forms start
 * from the values read when the screen opens (not from an earlier visit's).
 */
import { useEffect } from 'react';
import { BackupsPanel } from '../components/settings/BackupsPanel';
import { OperatorsPanel } from '../components/settings/OperatorsPanel';
import {
  BackupSettingsForm,
  BusinessForm,
  GatewayForm,
  SchedulerSettingsForm,
} from '../components/settings/SettingsForms';
import { ErrorState, Loading } from '../components/States';
import { loadBackups, useBackups } from '../store/backups';
import { loadOperators } from '../store/operators';
import { loadSettings, openSettings, useSettings } from '../store/settings';

/** The desktop app (its menu restores backups) rather than a browser on `npm run serve`. */
const isDesktop = (): boolean => typeof window !== 'undefined' && window.paydesk !== undefined;

export function SettingsScreen() {
  const { settings, info, loading, error } = useSettings();
  const dailyRuns = useBackups((s) => s.view?.dailyRuns ?? null);
  useEffect(() => {
    void openSettings();
    void loadBackups();
    void loadOperators();
  }, []);
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
            <BackupsPanel desktop={isDesktop()} />
            <OperatorsPanel />
          </div>
          <div className="stack">
            <SchedulerSettingsForm settings={settings} />
            <BackupSettingsForm settings={settings} dailyRuns={dailyRuns} />
            <GatewayForm info={info} />
          </div>
        </div>
      )}
    </>
  );
}
