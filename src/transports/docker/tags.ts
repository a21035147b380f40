import { ImgsignError } from '../../errors.js';
import {
  referenceName,
  type DockerReference,
} from '../../reference/docker-reference.js';
import type { SystemContext } from '../../system-context.js';
import { registryClientFor } from './docker-system-context.js';
import { headerValue } from './registry-client.js';
import { registryError } from './registry-errors.js';

/** Pages followed at most (a hostile registry could link forever). */
const MAX_PAGES = 1000;

/**
 * Every tag of a repository: GET /v2/<path>/tags/list, following
 * `Link: <…>; rel="next"` pages on the same registry. Each page ≤ 4 MiB.
 */
export async function listTags(
  repo: DockerReference,
  sys: SystemContext,
): Promise<string[]> {
  const client = registryClientFor(repo, sys);
  const name = referenceName(repo);
  const tags: string[] = [];
  let path: string | undefined = `/v2/${repo.path}/tags/list`;
  for (let page = 0; path !== undefined; page++) {
    if (page >= MAX_PAGES) {
      throw new ImgsignError(
        'REGISTRY_HTTP',
        `listing tags of ${name}: more than ${MAX_PAGES} pages`,
      );
    }
    const res = await client.request({
      method: 'GET',
      path,
      repository: repo.path,
      actions: ['pull'],
      headers: { accept: 'application/json' },
    });
    if (res.status !== 200) throw registryError(res, `listing tags of ${name}`);
    let untrusted: { tags?: unknown };
    try {
      untrusted = JSON.parse(res.body.toString('utf8')) as { tags?: unknown };
    } catch {
      throw new ImgsignError(
        'REGISTRY_HTTP',
        `listing tags of ${name}: the registry answered invalid JSON`,
      );
    }
    if (untrusted.tags !== null && untrusted.tags !== undefined) {
      if (
        !Array.isArray(untrusted.tags) ||
        !untrusted.tags.every((t) => typeof t === 'string')
      ) {
        throw new ImgsignError(
          'REGISTRY_HTTP',
          `listing tags of ${name}: "tags" is not a list of strings`,
        );
      }
      tags.push(...untrusted.tags);
    }
    path = nextPage(headerValue(res.headers['link']));
  }
  return tags;
}

/** The `rel="next"` target of a Link header, if it stays on the registry (a path). */
function nextPage(link: string | undefined): string | undefined {
  if (link === undefined) return undefined;
  const m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
  const target = m?.[1];
  if (target === undefined || !target.startsWith('/v2/')) return undefined;
  return target;
}
