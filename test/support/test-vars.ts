/**
 * Vars the workers project gives the kms Worker in place of its wrangler.toml's, importable both by
 * the Node-side config (vitest.config.ts) and by the tests that run in workerd.
 *
 * AUDIT_SEGMENT_EVENTS (2000 when deployed): the kms Worker seals an audit segment once this many
 * events wait, so a test reaches a real archived segment with a few dozen requests, and every
 * busier log in the project is archived as it would be in production.
 */
export const TEST_AUDIT_SEGMENT_EVENTS = 50;
