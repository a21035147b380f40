import { describe, expect, it } from 'vitest';
import { dockerTransport } from '../../../../src/transports/docker/docker-transport.js';
import { parseImageName } from '../../../../src/transports/all.js';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('docker:// references', () => {
  it('normalises short names and adds :latest', () => {
    const ref = dockerTransport.parseReference('//busybox');
    expect(ref.stringWithinTransport()).toBe(
      '//docker.io/library/busybox:latest',
    );
    expect(ref.dockerReference()).toEqual({
      domain: 'docker.io',
      path: 'library/busybox',
      tag: 'latest',
    });
  });

  it('keeps host, port, tag and digest', () => {
    expect(
      dockerTransport
        .parseReference('//localhost:5000/ns/app:v1')
        .stringWithinTransport(),
    ).toBe('//localhost:5000/ns/app:v1');
    const byDigest = dockerTransport.parseReference(
      `//quay.io/ns/app@${digest}`,
    );
    expect(byDigest.dockerReference()).toEqual({
      domain: 'quay.io',
      path: 'ns/app',
      digest,
    });
    expect(byDigest.policyConfigurationIdentity()).toBe(
      `quay.io/ns/app@${digest}`,
    );
  });

  it('rejects a tag together with a digest', () => {
    expect(() =>
      dockerTransport.parseReference(`//quay.io/ns/app:v1@${digest}`),
    ).toThrow(/not supported/);
  });

  it('rejects references without // and invalid names', () => {
    expect(() => dockerTransport.parseReference('busybox')).toThrow(
      /docker:\/\//,
    );
    expect(() => dockerTransport.parseReference('//Quay.io/NS/App')).toThrow(
      /lowercase/,
    );
    expect(() =>
      dockerTransport.parseReference('//quay.io/ns/app@sha256:abc'),
    ).toThrow();
  });

  it('gives the policy scopes from the most specific down', () => {
    const ref = dockerTransport.parseReference(
      '//registry.example.com:5000/a/b/c:t',
    );
    expect(ref.policyConfigurationIdentity()).toBe(
      'registry.example.com:5000/a/b/c:t',
    );
    expect(ref.policyConfigurationNamespaces()).toEqual([
      'registry.example.com:5000/a/b/c',
      'registry.example.com:5000/a/b',
      'registry.example.com:5000/a',
      'registry.example.com:5000',
      '*.example.com',
      '*.com',
    ]);
  });

  it('is registered as the docker transport and round-trips', () => {
    const ref = parseImageName('docker://quay.io/ns/app:v2');
    expect(ref.transport.name).toBe('docker');
    expect(
      parseImageName(
        `docker:${ref.stringWithinTransport()}`,
      ).stringWithinTransport(),
    ).toBe(ref.stringWithinTransport());
  });

  it('validates policy scopes', () => {
    for (const ok of [
      'quay.io',
      'quay.io/ns',
      'quay.io/ns/app:tag',
      `quay.io/ns/app@${digest}`,
      '*.example.com',
    ]) {
      expect(() =>
        dockerTransport.validatePolicyConfigurationScope(ok),
      ).not.toThrow();
    }
    for (const bad of [
      '',
      '*.',
      'https://quay.io/ns',
      'quay.io/ns/',
      'a b',
      'quay.*.io',
    ]) {
      expect(() =>
        dockerTransport.validatePolicyConfigurationScope(bad),
      ).toThrow();
    }
  });
});
