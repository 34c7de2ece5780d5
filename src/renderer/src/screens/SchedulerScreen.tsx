/** The scheduler of recurring charges and, when the core runs on one, the test clock. */
import { useEffect } from 'react';
import { SchedulerPanel } from '../components/scheduler/SchedulerPanel';
import { TestClockPanel } from '../components/scheduler/TestClockPanel';
import { ErrorState, Loading } from '../components/States';
import { loadScheduler, useScheduler } from '../store/scheduler';

export function SchedulerScreen() {
  const loading = useScheduler((s) => s.loading);
  const error = useScheduler((s) => s.error);
  const hasStatus = useScheduler((s) => s.status !== null);
  useEffect(() => void loadScheduler(), []);
  return (
    <>
      <h1 tabIndex={-1}>Scheduler</h1>
      {error && <ErrorState message={error} onRetry={() => void loadScheduler()} />}
      {loading && !hasStatus && <Loading>Loading the scheduler…</Loading>}
      <div className="columns">
        <SchedulerPanel />
        <TestClockPanel />
      </div>
    </>
  );
}
