/**
 * A benchmark worker: runs one task of bench/protocol.ts in this fresh process and writes
 * its result as JSON to a file, so that each measurement has a process (and a heap) of its
 * own. Usage: node --expose-gc --import tsx bench/worker.ts <task> <params JSON> <result file>
 */
import { writeFile } from 'node:fs/promises';
import { isTaskName, tasks, type ParamsOf, type ResultOf, type TaskName } from './protocol';
import { backup } from './tasks/backup';
import { baselines } from './tasks/baselines';
import { core } from './tasks/core';
import { customers } from './tasks/customers';
import { exportTask } from './tasks/export';
import { follow } from './tasks/follow';
import { generate } from './tasks/generate';
import { lists } from './tasks/lists';
import { openOnce } from './tasks/open';
import { recurring } from './tasks/recurring';
import { restart } from './tasks/restart';
import { undo } from './tasks/undo';

const runners: { [T in TaskName]: (params: ParamsOf<T>) => Promise<ResultOf<T>> } = {
  generate,
  open: openOnce,
  core,
  customers,
  export: exportTask,
  lists,
  recurring,
  follow,
  backup,
  baselines,
  restart,
  undo,
};

async function runTask<T extends TaskName>(name: T, rawParams: unknown): Promise<ResultOf<T>> {
  const params = tasks[name].params.parse(rawParams) as ParamsOf<T>;
  return runners[name](params);
}

async function main(): Promise<void> {
  const [name, paramsJson, resultFile] = process.argv.slice(2);
  if (name === undefined || !isTaskName(name) || paramsJson === undefined || !resultFile) {
    throw new Error('usage: worker.ts <task> <params JSON> <result file>');
  }
  const result = await runTask(name, JSON.parse(paramsJson));
  await writeFile(resultFile, JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
