/**
 * DOCKER_CONTENT_TRUST_SERVER (SPEC §7.10): the notary server to use
 * instead of the registry's default; validated (https only) by
 * notary/repository.ts notaryServerURL().
 */
export const TRUST_SERVER_ENV = 'DOCKER_CONTENT_TRUST_SERVER';

/** The override, or undefined when unset or empty. */
export function trustServerOverride(
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const value = env[TRUST_SERVER_ENV];
  return value === undefined || value === '' ? undefined : value;
}
