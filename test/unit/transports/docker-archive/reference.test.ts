import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport } from '../../../../src/transports/docker-archive/transport.js';
import { parseImageName } from '../../../../src/transports/all.js';

describe('docker-archive references', () => {
  it.each([
    ['/tmp/a.tar', '/tmp/a.tar', undefined],
    [
      '/tmp/a.tar:busybox',
      '/tmp/a.tar:docker.io/library/busybox:latest',
      'docker.io/library/busybox:latest',
    ],
    [
      '/tmp/a.tar:example.com/x/y:v1',
      '/tmp/a.tar:example.com/x/y:v1',
      'example.com/x/y:v1',
    ],
    ['/tmp/a.tar:@3', '/tmp/a.tar:@3', undefined],
  ])('parses %s', (input, roundTrip, docker) => {
    const ref = dockerArchiveTransport.parseReference(input);
    expect(ref.stringWithinTransport()).toBe(roundTrip);
    expect(
      dockerArchiveTransport.parseReference(roundTrip).stringWithinTransport(),
    ).toBe(roundTrip);
    const d = ref.dockerReference();
    expect(d ? `${d.domain}/${d.path}:${d.tag}` : undefined).toBe(docker);
    expect(ref.policyConfigurationIdentity()).toBe('');
    expect(ref.policyConfigurationNamespaces()).toEqual([]);
  });

  it.each([
    ['', /expected PATH/],
    [':busybox', /empty path/],
    ['/a.tar:@-1', /source index/],
    ['/a.tar:@x', /source index/],
    ['/a.tar:busybox@sha256:' + 'a'.repeat(64), /digest references/],
    ['/a.tar:UPPER', /lowercase/],
  ])('rejects %j', (input, message) => {
    expect(() => dockerArchiveTransport.parseReference(input)).toThrow(message);
  });

  it('is registered and accepts only the default policy scope', () => {
    expect(parseImageName('docker-archive:/x.tar').transport).toBe(
      dockerArchiveTransport,
    );
    expect(() =>
      dockerArchiveTransport.validatePolicyConfigurationScope('/x.tar'),
    ).toThrow(/supports no scopes/);
  });

  it('refuses a source index for a destination', async () => {
    await expect(
      dockerArchiveTransport
        .parseReference('/x.tar:@0')
        .newImageDestination({}),
    ).rejects.toThrow(/source index/);
  });
});
