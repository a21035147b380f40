import { Flags } from '@oclif/core';
import type { SystemContext } from '../system-context.js';
import { copySystemContext } from './copy-flags.js';
import {
  prepareRegistryArgv,
  registryFlags,
  registrySystemContext,
  type RegistryFlagValues,
} from './registry-flags.js';
import { signingSystemContext } from './signing-flags.js';

/** Flags of `signatures payload|attach|list`: the registry's, and where its signatures live. */
export const signaturesFlags = {
  ...registryFlags,
  'registries.d': Flags.string({
    description: 'registries.d directory (where registry signatures live)',
    helpValue: 'DIR',
  }),
};

export const signaturesArgv = prepareRegistryArgv;

/** SystemContext for the signatures commands: environment, keyring and registry flags. */
export function signaturesSystemContext(
  flags: RegistryFlagValues & { 'registries.d'?: string | undefined },
): SystemContext {
  const base: SystemContext = {
    ...copySystemContext(),
    ...signingSystemContext(),
  };
  if (flags['registries.d'] !== undefined)
    base.registriesDirPath = flags['registries.d'];
  return registrySystemContext(flags, base);
}
