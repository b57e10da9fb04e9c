/**
 * The report test's stack (issue #14): the committee stack of tests/support/committee-stack.node.ts —
 * a real `kawei-central serve` over TLS, the day drawn with kawei-draw, rosters and face templates
 * published, real booth services (CommitteeBooth) enrolled and logged in with face + commitment,
 * the project material published — with what the report needs on top, all through its options:
 *
 * - the USB keys of a committee from SEVERAL CAs and key types (report-tokens.node.ts): per project,
 *   one key spec per seat ({ ca: 'A' | 'B', type: 'rsa' | 'ec' }), every CA in one trust folder that
 *   the booths and the central (`serve --trust DIR`) both read;
 * - the supervisor's (监标人) own token, made with the others (SoftHSM2 builds its slot list at
 *   C_Initialize), and its PIN in a file (`kawei-central report sign --pin-file`);
 * - a supervision certificate + key (openssl, RSA) for the identity annex's envelope, handed to the
 *   central by `centralArgs`;
 * - every project's category in project.json (engineering unless given).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMITTEE_PIN, startCommitteeStack, type CommitteeProjectSpec, type CommitteeStack } from './committee-stack.node.ts';
import type { ReportToken, TestCa } from './report-tokens.node.ts';

export const REPORT_PIN = COMMITTEE_PIN;
const SUPERVISOR_NAME = '监标人测试';
const SUPERVISOR_PIN = '654321';

export type CaName = 'A' | 'B';
export interface KeySpec {
  ca: CaName;
  type: 'rsa' | 'ec';
}

export interface ReportProjectSpec extends CommitteeProjectSpec {
  /** One per seat, in the draw's seat order for the project (length = members). */
  keys: KeySpec[];
}

export interface ReportStackPaths {
  centralData: string;
  trustDir: string;
  supervisionCert: string;
  supervisionKey: string;
}

export interface ReportStackOptions {
  projects: ReportProjectSpec[];
  /** Extra `kawei-central serve` arguments (after --data/--host/--port). Default: `--trust <trustDir> --supervision-cert <cert>`. */
  centralArgs?: (paths: ReportStackPaths) => string[];
  linkIntervalMs?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface SupervisorKey {
  token: ReportToken;
  pinFile: string;
  /** The supervisor signs under this name (/Name). */
  name: string;
}

export interface ReportStack extends CommitteeStack {
  /** Every CA of the run as PEM (CA-A, CA-B): the booths' and the central's trust folder. */
  readonly cas: Record<CaName, TestCa>;
  readonly supervisor: SupervisorKey;
  /** PEM files of the supervision certificate and its key (identity annex envelope). */
  readonly supervision: { cert: string; key: string };
}

export async function startReportStack(o: ReportStackOptions): Promise<ReportStack> {
  let supervision = { cert: '', key: '' };
  const stack = await startCommitteeStack({
    projects: o.projects.map((p) => ({ ...p, category: p.category ?? 'engineering' })),
    cas: { A: 'Kawei Report Test CA-A', B: 'Kawei Report Test CA-B' },
    extraTokens: [{ codeName: SUPERVISOR_NAME, label: 'supervisor', ca: 'A', type: 'ec', pin: SUPERVISOR_PIN, subjectOu: '监标人 Supervisor' }],
    beforeServe: ({ dir, centralData, trustDir }) => {
      // The supervision certificate the identity annex is sealed for (openssl: an independent maker).
      supervision = { cert: join(dir, 'supervision-cert.pem'), key: join(dir, 'supervision-key.pem') };
      if (!existsSync(supervision.cert)) {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', supervision.key, '-out', supervision.cert, '-days', '30', '-subj', '/CN=Kawei Test Supervision/O=Kawei Test/C=CN'], { stdio: 'pipe' });
      }
      const paths: ReportStackPaths = { centralData, trustDir, supervisionCert: supervision.cert, supervisionKey: supervision.key };
      return o.centralArgs ? o.centralArgs(paths) : ['--trust', trustDir, '--supervision-cert', supervision.cert];
    },
    ...(o.linkIntervalMs !== undefined ? { linkIntervalMs: o.linkIntervalMs } : {}),
    ...(o.quiet !== undefined ? { quiet: o.quiet } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  const pinFile = join(stack.dir, 'supervisor.pin');
  writeFileSync(pinFile, `${SUPERVISOR_PIN}\n`, { mode: 0o600 });
  // The committee stack's own object (its centralFingerprint is a getter), with the report's parts.
  return Object.assign(stack, {
    cas: stack.cas as Record<CaName, TestCa>,
    supervisor: { token: stack.tokens.get(SUPERVISOR_NAME)!, pinFile, name: SUPERVISOR_NAME },
    supervision,
  });
}
