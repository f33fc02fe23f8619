#!/usr/bin/env node
/**
 * The `vault-manager` command: the composition root for edge boxes (design.md §2). All wiring is in
 * program.ts; this file only connects it to the process.
 */
import { run } from './program.js';

// A reader that stops early (`vault-manager traces list | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2));
