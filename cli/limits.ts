/**
 * Bounds the command line checks flags against before it calls the engine, so a bad value is a usage error
 * (exit 2) that names the flag.
 */

export { MAX_SCRYPT_COST } from '../core/keys/passphrase-provider.js';

/** The engine refuses a trace size limit under 1 KiB (Vault.create). */
export const MIN_TRACE_BYTES_LIMIT = 1024;
export const MAX_TRACE_BYTES_LIMIT = 1024 * 1024 * 1024;

/** Listings use the search page bounds, so `traces list` and `traces search` page alike. */
export { DEFAULT_PAGE_SIZE as DEFAULT_PAGE, MAX_PAGE_SIZE as MAX_PAGE } from '../core/search/search.js';
export const MAX_BATCH_SIZE = 100_000;
