import { endianness } from 'node:os';
import { ImgsignError } from '../errors.js';
import type { ListInstance, ManifestList, Platform } from './parse.js';

/** The platform a copy selects from a manifest list (`--override-os/arch/variant`). */
export interface PlatformChoice {
  os?: string;
  arch?: string;
  variant?: string;
}

const goArch: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** process.platform/process.arch as GOOS/GOARCH/variant (what image indexes use). */
export function currentPlatform(): Required<Omit<PlatformChoice, 'variant'>> &
  PlatformChoice {
  const os =
    process.platform === 'win32'
      ? 'windows'
      : // There are no darwin images; like podman, use linux on a Mac.
        process.platform === 'darwin'
        ? 'linux'
        : process.platform;
  let arch = goArch[process.arch] ?? process.arch;
  if (process.arch === 'ppc64')
    arch = endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  let variant: string | undefined;
  if (arch === 'arm') {
    const v = (process.config.variables as Record<string, unknown>)[
      'arm_version'
    ];
    variant = `v${typeof v === 'string' || typeof v === 'number' ? v : 7}`;
  }
  return variant === undefined ? { os, arch } : { os, arch, variant };
}

/** Variants acceptable for `arch`, most preferred first ('' = instance without a variant). */
function wantedVariants(arch: string, variant: string | undefined): string[] {
  if (variant !== undefined && variant !== '') {
    if (arch === 'arm') {
      const n = Number(variant.replace(/^v/, ''));
      if (Number.isInteger(n)) {
        const out = [];
        for (let i = n; i >= 5; i--) out.push(`v${i}`);
        return [...out, ''];
      }
    }
    if (arch === 'arm64' && variant === 'v8') return ['v8', ''];
    return [variant];
  }
  if (arch === 'arm') return ['v7', 'v6', 'v5', ''];
  if (arch === 'arm64') return ['', 'v8'];
  return [''];
}

function describePlatform(p: Platform | undefined): string {
  if (!p) return '(no platform)';
  return [p.os ?? '?', p.architecture ?? '?', p.variant]
    .filter(Boolean)
    .join('/');
}

/**
 * Pick the instance of a manifest list for `choice` (defaults: the current
 * platform). Fails when none matches, listing what the list has.
 */
export function chooseInstance(
  list: ManifestList,
  choice: PlatformChoice = {},
): ListInstance {
  const current = currentPlatform();
  const os = choice.os ?? current.os;
  const arch = choice.arch ?? current.arch;
  const variant =
    choice.variant ?? (choice.arch === undefined ? current.variant : undefined);
  const candidates = list.manifests.filter(
    (m) => m.platform?.os === os && m.platform.architecture === arch,
  );
  for (const v of wantedVariants(arch, variant)) {
    const exact = candidates.find((m) => (m.platform?.variant ?? '') === v);
    if (exact) return exact;
  }
  // No variant asked for explicitly: any variant of the architecture will do.
  if (choice.variant === undefined && candidates[0]) return candidates[0];
  const wanted = [os, arch, variant].filter(Boolean).join('/');
  throw new ImgsignError(
    'NOT_FOUND',
    `no image found in manifest list for platform ${wanted} (available: ${list.manifests.map((m) => describePlatform(m.platform)).join(', ') || 'none'}); use --override-os/--override-arch/--override-variant or --all`,
  );
}
