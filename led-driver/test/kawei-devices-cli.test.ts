/**
 * The technician CLI as a technician runs it: `simulate all` in one process (simulators on socat pty
 * pairs), then each one-shot command in its own process against the host ends. Checks what the
 * device saw (via the simulate process's activity log) and the bilingual errors with their exit codes.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';

const CLI = join(import.meta.dirname, '..', 'bin', 'kawei-devices.mjs');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kawei-devices', () => {
  beforeAll(() => requireTool('socat'));
  let dir: string;
  let sim: ChildProcess;
  let output = '';
  const hosts = new Map<string, string>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-cli-'));
    sim = spawn(process.execPath, [CLI, 'simulate', 'all', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    sim.stdout?.setEncoding('utf8');
    sim.stderr?.setEncoding('utf8');
    sim.stderr?.on('data', (d: string) => (output += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulate did not start: ${output}`)), 20_000);
      sim.stdout?.on('data', (d: string) => {
        output += d;
        const line = output.split('\n').find((l) => l.startsWith('{"event":"simulating"'));
        if (line && hosts.size === 0) {
          const ready = JSON.parse(line) as { devices: { kind: string; hostPath: string }[] };
          for (const d of ready.devices) hosts.set(d.kind, d.hostPath);
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }, 30_000);

  afterAll(async () => {
    if (sim.exitCode === null) {
      const exited = new Promise((r) => sim.once('exit', r));
      sim.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const activity = async (pattern: RegExp): Promise<void> => {
    const end = Date.now() + 5000;
    while (!pattern.test(output)) {
      if (Date.now() > end) throw new Error(`the simulator never logged ${pattern}; output:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('runs every simulator and names its host path', () => {
    expect([...hosts.keys()].sort()).toEqual(['idcard', 'led-alpha', 'led-bx', 'relay', 'syn6288', 'xfs5152']);
  });

  it('shows a seat message on a BX panel, acknowledged', async () => {
    const r = run('led', hosts.get('led-bx')!, '--text', '3号评标室 A5', '--baud', '57600');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/已显示 \/ shown: 「3号评标室 A5」.*acknowledged/);
    await activity(/\[led-bx\] LED: \[0\] 3号评标室 A5/);
  });

  it('speaks a test sentence through a SYN6288', async () => {
    const r = run('speak', hosts.get('syn6288')!, '--text', '请到3号评标室A5号卡位');
    expect(r.code).toBe(0);
    await activity(/\[syn6288\] 语音 \/ voice: 「请到3号评标室A5号卡位」/);
  });

  it('pulses the turnstile coil and reads the inputs', async () => {
    const r = run('pulse', hosts.get('relay')!, '--coil', '2', '--ms', '300', '--inputs', '4');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/coil 2 pulsed/);
    expect(r.stdout).toMatch(/inputs: 0=0 1=0 2=0 3=0/);
    await activity(/\[relay\] 闸机 \/ relay: coil 2 pulsed (29\d|3\d\d) ms/);
  });

  it('reads the test card and masks the holder', () => {
    const r = run('read-card', hosts.get('idcard')!);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/读卡成功 \/ card read: 测\*\*卡 1101\*{10}\d{3}[\dX]/);
    expect(r.stdout).not.toContain('测试样卡');
  });

  it('explains a missing port in both languages with exit code 3', () => {
    const r = run('pulse', join(dir, 'no-such-port'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/串口 .* 不存在/);
    expect(r.stderr).toMatch(/does not exist/);
  });

  it('explains a bad option in both languages with exit code 2', () => {
    const r = run('led', hosts.get('led-bx')!, '--brightness', '99');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/参数错误/);
    expect(r.stderr).toMatch(/bad option: --brightness/);
    const unknown = run('simulate', 'fax');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/未知设备类型 fax/);
  });

  it('reports a silent relay board as a device error, exit code 1', () => {
    // The LED panel's port does not speak Modbus: nobody answers the relay request.
    const r = run('pulse', hosts.get('led-alpha')!, '--baud', '9600');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/继电器板无应答/);
  });

  it('lists serial ports without failing', () => {
    const r = run('list', '--json');
    expect(r.code).toBe(0);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
  });
});
