import { describe, expect, it } from 'vitest';
import {
  displayWidth,
  dockerTrustRepo,
  formatTrustInspectJSON,
  formatTrustInspectPretty,
  goJSONString,
  joinPretty,
  restrictToTag,
  tabwrite,
} from '../../../src/notary/inspect-format.js';
import type { TrustInspection } from '../../../src/notary/tuf/inspect-data.js';

const blueHex = Buffer.from('blue-digest').toString('hex');
const greenHex = Buffer.from('green-digest').toString('hex');

/** The data behind docker's own golden example (SPEC §7.12). */
const example: TrustInspection = {
  signedTags: [
    { tag: 'blue', digest: blueHex, signers: ['alice'] },
    { tag: 'green', digest: greenHex, signers: [] },
  ],
  signers: [{ name: 'alice', keys: ['A'] }],
  rootKeys: ['rootID'],
  repositoryKeys: ['targetsID'],
};

describe('docker trust inspect --pretty layout', () => {
  it('reproduces the documented layout byte for byte', () => {
    expect(formatTrustInspectPretty('REMOTE', example)).toBe(
      [
        '',
        'Signatures for REMOTE',
        '',
        'SIGNED TAG   DIGEST                     SIGNERS',
        'blue         626c75652d646967657374     alice',
        'green        677265656e2d646967657374   (Repo Admin)',
        '',
        'List of signers and their keys for REMOTE',
        '',
        'SIGNER    KEYS',
        'alice     A',
        '',
        'Administrative keys for REMOTE',
        '',
        '  Repository Key:\ttargetsID',
        '  Root Key:\trootID',
        '',
      ].join('\n'),
    );
  });

  it('says "No signatures" and omits the signers block when there are none', () => {
    const out = formatTrustInspectPretty('r', {
      signedTags: [],
      signers: [],
      rootKeys: ['b', 'a'],
      repositoryKeys: ['t'],
    });
    expect(out).toBe(
      '\nNo signatures for r\n\n\nAdministrative keys for r\n\n  Repository Key:\tt\n  Root Key:\ta, b\n',
    );
  });

  it('sorts row signers, signer names naturally, and truncates sorted key IDs to 12', () => {
    const long = (c: string) => c.repeat(64);
    const out = formatTrustInspectPretty('r', {
      signedTags: [{ tag: 't', digest: 'd', signers: ['zed', 'alice'] }],
      signers: [
        { name: 'signer10', keys: [long('b'), long('a')] },
        { name: 'signer2', keys: [long('c')] },
      ],
      rootKeys: [long('r')],
      repositoryKeys: [long('t')],
    });
    expect(out).toContain(`t${' '.repeat(12)}d${' '.repeat(9)}alice, zed\n`);
    expect(out).toContain(
      `SIGNER     KEYS\nsigner2    ${'c'.repeat(12)}\nsigner10   ${'a'.repeat(12)}, ${'b'.repeat(12)}\n`,
    );
    expect(out).toContain(`  Root Key:\t${long('r')}\n`);
  });

  it('separates several images with a blank line pair', () => {
    expect(joinPretty(['A\n', 'B\n'])).toBe('A\n\n\nB\n');
  });
});

describe('Go text/tabwriter (min width 10, padding 3)', () => {
  it('pads every column but the last to the widest cell + 3, at least 10', () => {
    expect(tabwrite('a\tbb\tc\nlonger-cell\tx\ty\n')).toBe(
      `a${' '.repeat(13)}bb        c\nlonger-cell   x         y\n`,
    );
  });

  it('counts display width as docker does, not bytes', () => {
    expect(tabwrite('ééééééééééé\tx\n')).toBe('ééééééééééé   x\n');
    expect(tabwrite('日本語\tx\n')).toBe(`日本語${' '.repeat(4)}x\n`);
  });

  it.each([
    ['plain', 5],
    ['tëst', 4],
    ['e\u0301', 1],
    ['\u2028sep', 3],
    ['a\u200bb', 2],
    ['日本', 4],
    ['Ａ', 2],
    ['😀', 2],
    ['👩\u200d💻', 2],
    ['\u0007', 0],
  ])('measures %j as %i columns', (s, w) => {
    expect(displayWidth(s)).toBe(w);
  });

  it('starts a new column block after a line without that column', () => {
    expect(tabwrite('a\tb\nplain\nlong-long-long\tc\n')).toBe(
      'a         b\nplain\nlong-long-long   c\n',
    );
  });
});

describe('docker trust inspect JSON', () => {
  it('is [] and a newline when nothing could be inspected', () => {
    expect(formatTrustInspectJSON([])).toBe('[]\n');
  });

  it('indents with 4 spaces in docker field order, Repo Admin for unsigned rows', () => {
    const out = formatTrustInspectJSON([
      dockerTrustRepo('example.com/a:1', {
        ...example,
        signers: [],
      }),
    ]);
    expect(out).toBe(
      `[
    {
        "Name": "example.com/a:1",
        "SignedTags": [
            {
                "SignedTag": "blue",
                "Digest": "${blueHex}",
                "Signers": [
                    "alice"
                ]
            },
            {
                "SignedTag": "green",
                "Digest": "${greenHex}",
                "Signers": [
                    "Repo Admin"
                ]
            }
        ],
        "Signers": [],
        "AdministrativeKeys": [
            {
                "Name": "Root",
                "Keys": [
                    {
                        "ID": "rootID"
                    }
                ]
            },
            {
                "Name": "Repository",
                "Keys": [
                    {
                        "ID": "targetsID"
                    }
                ]
            }
        ]
    }
]
`,
    );
    expect(JSON.parse(out)).toHaveLength(1);
  });

  it('escapes strings as Go encoding/json does', () => {
    expect(goJSONString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goJSONString('<tag>&')).toBe('"\\u003ctag\\u003e\\u0026"');
    expect(goJSONString('\n\r\t\b\f\u0001\u001f')).toBe(
      '"\\n\\r\\t\\b\\f\\u0001\\u001f"',
    );
    expect(goJSONString('\u2028\u2029')).toBe('"\\u2028\\u2029"');
    expect(goJSONString('é😀')).toBe('"é😀"');
    expect(goJSONString('x\ud800y\udc00')).toBe('"x\\ufffdy\\ufffd"');
  });
});

describe('restrictToTag', () => {
  it('keeps only the rows of the tag given, everything without one', () => {
    expect(restrictToTag(example, 'green').signedTags).toEqual([
      example.signedTags[1],
    ]);
    expect(restrictToTag(example, 'none').signedTags).toEqual([]);
    expect(restrictToTag(example, undefined)).toBe(example);
  });
});
