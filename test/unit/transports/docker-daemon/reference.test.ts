import { describe, expect, it } from 'vitest';
import { parseImageName } from '../../../../src/transports/all.js';
import { dockerDaemonTransport } from '../../../../src/transports/docker-daemon/transport.js';

const id = 'sha256:' + 'c'.repeat(64);

describe('docker-daemon references', () => {
  it.each([
    ['busybox:latest', 'busybox:latest', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox:1', 'busybox:1', 'docker.io/library/busybox:1'],
    ['user/app:2', 'user/app:2', 'docker.io/user/app:2'],
    [
      'example.com:5000/a/b:t',
      'example.com:5000/a/b:t',
      'example.com:5000/a/b:t',
    ],
    [
      'example.com/r@sha256:' + 'd'.repeat(64),
      'example.com/r@sha256:' + 'd'.repeat(64),
      'example.com/r@sha256:' + 'd'.repeat(64),
    ],
  ])('parses %s as %s with identity %s', (input, within, identity) => {
    const ref = dockerDaemonTransport.parseReference(input);
    expect(ref.stringWithinTransport()).toBe(within);
    expect(ref.policyConfigurationIdentity()).toBe(identity);
    expect(
      dockerDaemonTransport
        .parseReference(within)
        .policyConfigurationIdentity(),
    ).toBe(identity);
  });

  it('gives docker namespaces for names and none for image IDs', () => {
    expect(
      dockerDaemonTransport
        .parseReference('a.example.com/ns/app:v1')
        .policyConfigurationNamespaces(),
    ).toEqual([
      'a.example.com/ns/app',
      'a.example.com/ns',
      'a.example.com',
      '*.example.com',
      '*.com',
    ]);
    const byID = dockerDaemonTransport.parseReference(id);
    expect(byID.stringWithinTransport()).toBe(id);
    expect(byID.dockerReference()).toBeUndefined();
    expect(byID.policyConfigurationIdentity()).toBe('');
    expect(byID.policyConfigurationNamespaces()).toEqual([]);
  });

  it.each([
    ['busybox', /neither a tag nor a digest/],
    ['sha512:' + 'a'.repeat(128), /sha256/],
    ['sha256:abc', /reserved/],
    ['busybox:1@sha256:' + 'a'.repeat(64), /both a tag and a digest/],
    ['c'.repeat(64), /image ID/],
  ])('rejects %s', (input, message) => {
    expect(() => dockerDaemonTransport.parseReference(input)).toThrow(message);
  });

  it('rejects algo:digest policy scopes only', () => {
    expect(() =>
      dockerDaemonTransport.validatePolicyConfigurationScope(id),
    ).toThrow(/algo:digest/);
    expect(() =>
      dockerDaemonTransport.validatePolicyConfigurationScope(
        'docker.io/library/busybox',
      ),
    ).not.toThrow();
  });

  it('needs NAME:TAG as a destination', async () => {
    await expect(
      dockerDaemonTransport.parseReference(id).newImageDestination({}),
    ).rejects.toThrow(/NAME:TAG/);
    expect(parseImageName('docker-daemon:busybox:latest').transport).toBe(
      dockerDaemonTransport,
    );
  });

  it('reports an unreachable daemon as inconclusive', async () => {
    await expect(
      dockerDaemonTransport
        .parseReference('busybox:latest')
        .newImageSource({ dockerHost: 'unix:///nonexistent/imgsign.sock' }),
    ).rejects.toMatchObject({
      code: 'INCONCLUSIVE',
      message: expect.stringMatching(/is the daemon running/),
    });
  });
});
