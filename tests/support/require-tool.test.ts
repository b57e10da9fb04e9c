import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool, requireTool } from './require-tool.node.ts';

/** requireTool in a process whose PATH has no tools at all: it throws, naming the apt packages. */
function requireWithoutPath(...names: string[]): { status: number | null; stderr: string } {
  const script = `import { requireTool } from ${JSON.stringify(join(import.meta.dirname, 'require-tool.node.ts'))};
try { requireTool(...${JSON.stringify(names)}); } catch (e) { console.error(e.name + ': ' + e.message); process.exit(3); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: '/nonexistent' },
  });
  return { status: r.status, stderr: r.stderr };
}

describe('requireTool', () => {
  it('fails with what is missing, why, and the apt line that installs it', () => {
    const r = requireWithoutPath('socat', 'softhsm2');
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain('MissingToolError: 缺少测试所需的系统工具，测试不会跳过 / a tool these tests need is missing, and tests do not skip');
    expect(r.stderr).toContain('socat (serial pty pairs for the device simulators): `socat -V` does not run');
    expect(r.stderr).toContain('SoftHSM2 and pkcs11-tool (the USB key): `softhsm2-util --version` does not run');
    expect(r.stderr).toContain('apt-get install -y --no-install-recommends socat softhsm2 opensc');
  });

  it('passes when the tool runs, as on this machine', () => {
    expect(hasTool('openssl')).toBe(true);
    expect(() => requireTool('openssl')).not.toThrow();
  });
});
