/**
 * Vitest global setup. Servers shared across files (registries, notary) are
 * started by the integration helpers on demand on free loopback ports; this
 * hook only checks the environment so a broken machine fails once, clearly.
 */
export default function setup(): void {
  if (process.env['CI'] === 'true' && process.getuid?.() === 0) {
    process.env['IMGSIGN_TEST_AS_ROOT'] = '1';
  }
}
