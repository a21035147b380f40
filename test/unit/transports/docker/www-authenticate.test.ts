import { describe, expect, it } from 'vitest';
import { parseWWWAuthenticate } from '../../../../src/transports/docker/www-authenticate.js';

describe('parseWWWAuthenticate', () => {
  it('parses a distribution Bearer challenge', () => {
    expect(
      parseWWWAuthenticate(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:ns/app:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          scope: 'repository:ns/app:pull,push',
        },
      },
    ]);
  });

  it('parses Basic, unquoted values, escapes and several challenges in one header', () => {
    expect(
      parseWWWAuthenticate(
        'Basic realm="a \\"quoted\\" realm", Bearer realm=https://x/t, service=svc',
      ),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
      { scheme: 'bearer', params: { realm: 'https://x/t', service: 'svc' } },
    ]);
  });

  it('takes every header value and lowercases schemes and names', () => {
    expect(
      parseWWWAuthenticate(['BASIC Realm="r"', 'bearer REALM="t"']),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'r' } },
      { scheme: 'bearer', params: { realm: 't' } },
    ]);
  });

  it('returns nothing for an absent or empty header', () => {
    expect(parseWWWAuthenticate(undefined)).toEqual([]);
    expect(parseWWWAuthenticate('')).toEqual([]);
  });
});
