import { createHash } from 'node:crypto';
import type { DayExpert, DayInput, DayProject } from '../../src/draw/day-schema.ts';

/**
 * The fairness test's fixed day (fairness.test.ts explains the classes), kept apart so that longer
 * runs can reuse it outside the test.
 */

const A = '工程造价';
const B = '房屋建筑';
const C = '法律';
const SITES = ['S1', 'S2'];

export function fairnessDay(): { day: DayInput; classes: Map<string, string[]> } {
  const experts: DayExpert[] = [];
  const classes = new Map<string, string[]>();
  const add = (cls: string, n: number, specialties: string[], employer: (i: number) => string): void => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `E${String(experts.length + 1).padStart(3, '0')}`;
      experts.push({ id, specialties, employer: employer(i), sites: [...SITES] });
      ids.push(id);
    }
    classes.set(cls, ids);
  };
  add('造价', 16, [A], (i) => `造价咨询所${i + 1}`);
  add('造价, bidder of P1 is the employer', 4, [A], () => '华信工程咨询有限公司');
  add('房建', 20, [B], (i) => `建筑设计院${i + 1}`);
  add('造价+房建', 10, [A, B], (i) => `综合研究院${i + 1}`);
  add('法律', 10, [C], (i) => `律师事务所${i + 1}`);

  const project = (id: string, needs: [string, number][], bidderOrgs: string[]): DayProject => ({
    id,
    category: 'engineering',
    techWeight: 0.5,
    needs: needs.map(([specialty, count]) => ({ specialty, count })),
    alternates: 1,
    bidders: bidderOrgs.map((org, i) => ({ id: `${id}-T${i + 1}`, name: org, org })),
    blind: false,
  });
  const projects = [
    project('P1', [[A, 2], [B, 2]], ['华信工程咨询有限公司', '投标公司1-2']),
    project('P2', [[A, 3]], ['投标公司2-1', '投标公司2-2']),
    project('P3', [[B, 3]], ['投标公司3-1', '投标公司3-2', '投标公司3-3']),
    project('P4', [[A, 1], [B, 1], [C, 1]], ['投标公司4-1']),
    project('P5', [[C, 2], [B, 1]], ['投标公司5-1', '投标公司5-2']),
    project('P6', [[A, 2], [C, 1]], ['投标公司6-1']),
    project('P7', [[B, 2]], ['投标公司7-1', '投标公司7-2']),
    project('P8', [[A, 2], [B, 2], [C, 1]], ['投标公司8-1', '投标公司8-2']),
  ];
  const day: DayInput = {
    date: '2025-03-18',
    sites: SITES.map((id) => ({ id, rooms: [1, 2].map((r) => ({ id: `${id}-R${r}`, rows: 3, cols: 3, disabled: [] })) })),
    experts,
    projects,
    conflicts: [],
  };
  return { day, classes };
}

/** Booth classes under the day's symmetries: corner, edge or centre of any of the four rooms. */
export function boothClasses(day: DayInput): Map<string, string[]> {
  const classes = new Map<string, string[]>([['corner', []], ['edge', []], ['centre', []]]);
  for (const site of day.sites) {
    for (const room of site.rooms) {
      for (let row = 0; row < 3; row++) {
        for (let col = 0; col < 3; col++) {
          const edges = (row === 1 ? 1 : 0) + (col === 1 ? 1 : 0);
          classes.get(['corner', 'edge', 'centre'][edges] as string)!.push(`${site.id}/${room.id}/${row}/${col}`);
        }
      }
    }
  }
  return classes;
}


/** The secret of the fairness test's i-th draw. */
export const fairnessSecret = (i: number): string => createHash('sha256').update(`kawei-fairness/${i}`).digest('hex');
