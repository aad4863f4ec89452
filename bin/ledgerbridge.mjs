#!/usr/bin/env node
// The `ledgerbridge` command: runs the TypeScript entry point through tsx (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
