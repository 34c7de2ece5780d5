/** Setup file of the `postgres` test project: each test file drops the databases it made. */
import { afterAll } from 'vitest';
import { dropTestDatabases } from './postgres';

afterAll(dropTestDatabases);
