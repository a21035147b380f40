import { describe, expect, it } from 'vitest';
import { requirementsFor } from '../../src/policy/evaluate.js';
import { parsePolicy } from '../../src/policy/parse.js';
import { dockerRef } from '../unit/policy/helpers.js';

// A lenient scope for one registry must not leak to look-alike names.
const policy = parsePolicy(
  JSON.stringify({
    default: [{ type: 'reject' }],
    transports: {
      docker: {
        'trusted.example.com': [{ type: 'insecureAcceptAnything' }],
        'registry.io/team': [{ type: 'insecureAcceptAnything' }],
        '*.corp.example': [{ type: 'insecureAcceptAnything' }],
      },
    },
  }),
  'p.json',
);

const typeFor = (name: string) =>
  requirementsFor(policy, dockerRef(name)).requirements[0]?.type;

describe('when an image name only looks like a trusted scope', () => {
  it.each([
    'trusted.example.com.evil.net/x:1',
    'trusted.example.comx/x:1',
    'eviltrusted.example.com/x:1',
    'trusted.example.com:8443/x:1',
    'registry.io/teamx/app:1',
    'registry.io/tea/app:1',
    'corp.example/x:1',
    'evilcorp.example/x:1',
    'docker.io/trusted.example.com/x:1',
  ])('%s gets the default (reject)', (name) => {
    expect(typeFor(name)).toBe('reject');
  });

  it.each([
    'trusted.example.com/x:1',
    'registry.io/team/app:1',
    'a.corp.example/x:1',
    'a.b.corp.example/x:1',
  ])('%s gets its scope (control)', (name) => {
    expect(typeFor(name)).toBe('insecureAcceptAnything');
  });
});
