import { Flags } from '@oclif/core';

/**
 * `--public-key-file FILE`, repeatable. Non-greedy: skopeo's usage puts it
 * before the positional arguments, which a greedy multiple flag would
 * swallow ("Missing required arg").
 */
export function publicKeyFileFlag(description: string) {
  return Flags.string({
    description,
    multiple: true,
    multipleNonGreedy: true,
    helpValue: 'FILE',
  });
}
