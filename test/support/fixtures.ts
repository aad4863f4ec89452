import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export const fixturePath = (...parts: string[]): string => join(FIXTURES, ...parts);
export const readFixture = (...parts: string[]): string => readFileSync(fixturePath(...parts), 'utf8');
export const jsonFixture = <T = unknown>(...parts: string[]): T => JSON.parse(readFixture(...parts)) as T;
