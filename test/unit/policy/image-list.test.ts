import { describe, expect, it } from 'vitest';
import {
  dedupeImages,
  imagesInDocument,
  toImageName,
} from '../../../src/policy/image-list.js';

const transports = [
  'docker',
  'dir',
  'oci',
  'oci-archive',
  'docker-archive',
  'docker-daemon',
];
const names = (text: string) =>
  imagesInDocument(text, 'f.yaml', transports).map((m) => m.image);

describe('imagesInDocument', () => {
  it('finds containers, init and ephemeral containers of every workload kind', () => {
    const yaml = `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: init, image: "busybox:1"}]
  containers: [{name: app, image: "quay.io/app:1"}]
  ephemeralContainers: [{name: dbg, image: "debug:1"}]
---
kind: Deployment
metadata: {name: d}
spec: {template: {spec: {containers: [{name: c, image: "deploy:1"}]}}}
---
kind: StatefulSet
spec: {template: {spec: {containers: [{name: c, image: "sts:1"}]}}}
---
kind: DaemonSet
spec: {template: {spec: {containers: [{name: c, image: "ds:1"}]}}}
---
kind: Job
spec: {template: {spec: {containers: [{name: c, image: "job:1"}]}}}
---
kind: CronJob
spec: {jobTemplate: {spec: {template: {spec: {initContainers: [{name: i, image: "cron-init:1"}], containers: [{name: c, image: "cron:1"}]}}}}}
---
kind: Service
spec: {ports: [{port: 80}]}
---
kind: List
items:
  - kind: Pod
    spec: {containers: [{name: c, image: "listed:1"}]}
`;
    expect(names(yaml)).toEqual([
      'docker://busybox:1',
      'docker://quay.io/app:1',
      'docker://debug:1',
      'docker://deploy:1',
      'docker://sts:1',
      'docker://ds:1',
      'docker://job:1',
      'docker://cron-init:1',
      'docker://cron:1',
      'docker://listed:1',
    ]);
    const first = imagesInDocument(yaml, 'f.yaml', transports)[0];
    expect(first?.where).toBe('f.yaml#1: Pod/p initContainer init');
  });

  it('reads Compose services', () => {
    expect(
      names(
        'services:\n  web:\n    image: nginx:1.25\n  build-only:\n    build: .\n  db:\n    image: postgres:16\n',
      ),
    ).toEqual(['docker://nginx:1.25', 'docker://postgres:16']);
  });

  it('reads plain lists with comments and keeps explicit transports', () => {
    expect(
      names(
        '# images to deploy\nbusybox:latest\n\ndir:/srv/img   # local\ndocker://quay.io/x@sha256:' +
          'a'.repeat(64) +
          '\nlocalhost:5000/app:1\n',
      ),
    ).toEqual([
      'docker://busybox:latest',
      'dir:/srv/img',
      `docker://quay.io/x@sha256:${'a'.repeat(64)}`,
      'docker://localhost:5000/app:1',
    ]);
  });

  it('reads YAML sequences of names', () => {
    expect(names('- a:1\n- oci:/l:x\n')).toEqual(['docker://a:1', 'oci:/l:x']);
  });
});

describe('dedupeImages', () => {
  it('merges repeated images, keeping every place they were named', () => {
    expect(
      dedupeImages([
        { image: 'docker://a:1', where: 'x' },
        { image: 'docker://b:1', where: 'y' },
        { image: 'docker://a:1', where: 'z' },
      ]),
    ).toEqual([
      { image: 'docker://a:1', where: ['x', 'z'] },
      { image: 'docker://b:1', where: ['y'] },
    ]);
  });
});

describe('toImageName', () => {
  it.each([
    ['busybox', 'docker://busybox'],
    ['localhost:5000/x', 'docker://localhost:5000/x'],
    ['dir:/x', 'dir:/x'],
    ['docker://x', 'docker://x'],
  ])('%s → %s', (input, expected) => {
    expect(toImageName(input, transports)).toBe(expected);
  });
});

describe('imagesInDocument on broken YAML', () => {
  it('reports a Kubernetes file that is not valid YAML instead of guessing names', () => {
    expect(() =>
      imagesInDocument(
        'apiVersion: v1\nkind: Pod\nspec: {containers: [\n',
        'bad.yaml',
        transports,
      ),
    ).toThrow(/^bad\.yaml is not valid YAML: /);
  });
});
