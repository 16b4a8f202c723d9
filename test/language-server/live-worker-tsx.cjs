// Starts the live worker from its TypeScript source for the unit tests
// (Node 20's worker threads do not apply `--import tsx` to a .ts entry).
require('tsx/cjs');
require('../../server/language/live-worker.ts');
