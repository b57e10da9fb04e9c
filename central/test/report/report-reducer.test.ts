import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPORT_BOOTH_EVENTS, REPORT_EVENTS, reportBoothPayloadSchema } from '@kawei/shared/report/report-events.ts';
import { replayCommittee } from '../../src/committee/committee-state.ts';
import { replayReport } from '../../src/report/report-reducer.ts';
import { reportBoothViews } from '../../src/report/report-views.ts';
import { DATE, dissentPayload, finalCommittee, outcome, PROJECT, reportRun, sha, signedPayload } from './report-fixtures.ts';

describe('the report as a pure function of the ledger', () => {
  it('goes draft → dissent → final → signing in seat order → supervisor → signed, refusing what is out of turn or on a stale head', () => {
    const run = reportRun(finalCommittee(3));
    expect(run.state).toMatchObject({ stage: null, draft: null, turn: null, problems: [] });
    run.rendered('draft');
    expect(run.current.stage).toBe('dissent');

    // Dissent window: one dissent, one "none"; a dissent against another draft is refused.
    expect(outcome(run.dissent('K02', 'the price score of B is wrong', sha('another draft')))).toBe('wrong_draft');
    expect(outcome(run.dissent('K02', 'the price score of B is wrong'))).toBe('accepted');
    expect(outcome(run.dissent('K02', null))).toBe('already_answered');
    expect(outcome(run.sign('K01'))).toBe('wrong_stage');
    expect(outcome(run.dissent('K01', null))).toBe('accepted');
    expect(run.current.stage).toBe('dissent');
    expect(outcome(run.dissent('K03', null))).toBe('accepted');
    // Every member answered: the window is closed, the final PDF is due (the service renders it).
    run.rendered('final');
    expect(run.current).toMatchObject({ stage: 'signing', turn: 'K01', head: { sha256: sha('final-pdf') } });
    expect(run.current.dissents.map((d) => [d.codename, d.judge, d.text])).toEqual([
      ['K02', 2, 'the price score of B is wrong'],
      ['K01', 1, null],
      ['K03', 3, null],
    ]);
    expect(outcome(run.dissent('K01', null))).toBe('wrong_stage');

    // Out of turn, on a stale head, in another's field, under a real name: refused.
    expect(outcome(run.sign('K02'))).toBe('not_your_turn');
    expect(outcome(run.sign('K01', { headSha256: sha('old') }))).toBe('stale_head');
    expect(outcome(run.sign('K01', { fieldName: 'kawei-judge-2' }))).toBe('malformed');
    expect(outcome(run.sign('K01', { signerName: 'Zhang San' }))).toBe('malformed');
    const final = run.current.head!.sha256;
    expect(outcome(run.sign('K01'))).toBe('accepted');
    expect(run.current.head!.sha256).not.toBe(final);
    expect(run.current.turn).toBe('K02');
    expect(outcome(run.sign('K01'))).toBe('already_signed');

    // K02 refuses (the reason is on the record); K03 signs on top of K01's signature.
    expect(outcome(run.refuseToSign('K02', 'I dissented'))).toBe('accepted');
    expect(run.current.turn).toBe('K03');
    expect(outcome(run.sign('K03'))).toBe('accepted');
    expect(run.current).toMatchObject({ stage: 'supervisor', turn: null });
    const [s1, s3] = run.current.signatures;
    expect(s1).toMatchObject({ codename: 'K01', judge: 1, role: 'member', fieldName: 'kawei-judge-1', headBefore: final });
    expect(s3).toMatchObject({ codename: 'K03', judge: 3, headBefore: s1!.headAfter!.sha256 });
    expect(run.current.refusalsToSign).toEqual([expect.objectContaining({ codename: 'K02', judge: 2, reason: 'I dissented', headSha256: s1!.headAfter!.sha256 })]);

    // The unblinding annex waits for the supervisor; the identity annex exists from the final on.
    run.annex('unblinding');
    expect(run.current.problems).toHaveLength(1);
    run.annex('identities');
    run.supervisor();
    expect(run.current.stage).toBe('signed');
    expect(run.current.signatures.at(-1)).toMatchObject({ role: 'supervisor', codename: null, headBefore: s3!.headAfter!.sha256 });
    run.annex('unblinding');
    expect(run.current.annexes.map((a) => a.kind)).toEqual(['identities', 'unblinding']);
    expect(run.current.refusals.map((r) => r.reason)).toEqual(['wrong_draft', 'already_answered', 'wrong_stage', 'wrong_stage', 'not_your_turn', 'stale_head', 'malformed', 'malformed', 'already_signed']);
    expect(run.current.problems).toHaveLength(1);
  });

  it('a detached CMS (SM2) leaves the head as it was; the next member signs the same PDF', () => {
    const run = reportRun(finalCommittee(2));
    run.rendered('draft');
    run.closeDissent();
    expect(run.current.dissents.every((d) => d.closedByCentre && d.text === null)).toBe(true);
    run.rendered('final');
    const head = run.current.head!.sha256;
    expect(outcome(run.sign('K01', { format: 'cms-detached' }))).toBe('accepted');
    expect(run.current).toMatchObject({ head: { sha256: head }, turn: 'K02' });
    expect(run.current.signatures[0]).toMatchObject({ format: 'cms-detached', headAfter: null, headBefore: head });
    expect(outcome(run.sign('K02'))).toBe('accepted');
    expect(run.current.stage).toBe('supervisor');
  });

  it('the final PDF before the window closed, a draft twice, a closing after it: problems, skipped', () => {
    const run = reportRun(finalCommittee(2));
    run.rendered('final');
    expect(run.current.stage).toBeNull();
    run.rendered('draft');
    run.rendered('draft', sha('second draft'));
    expect(run.current.draft?.sha256).toBe(sha('draft-pdf'));
    run.dissent('K01', null);
    run.rendered('final');
    expect(run.current.final).toBeNull();
    expect(run.current.problems.map((p) => p.en)).toEqual([
      expect.stringContaining('(report.rendered) does not fit'),
      expect.stringContaining('(report.rendered) does not fit'),
      expect.stringContaining('(report.rendered) does not fit'),
    ]);
  });

  it('an acceptance naming a missing event, or one the rules refuse, is a problem and changes nothing', () => {
    const run = reportRun(finalCommittee(2));
    run.rendered('draft');
    const device = run.member('K01').device;
    run.append(REPORT_EVENTS.accepted, { date: DATE, project: PROJECT, device, seq: 999, hash: 'e'.repeat(64), type: REPORT_BOOTH_EVENTS.dissent, codename: 'K01', headAfter: null });
    expect(run.current.problems.at(-1)?.en).toMatch(/999, which is missing/);
    // A signature during the dissent window, accepted by a faulty central: the replay does not follow it.
    const judged = run.booth(device, REPORT_BOOTH_EVENTS.signed, signedPayload('K01', 1, run.current.draft!.sha256));
    expect(outcome(judged)).toBe('wrong_stage');
    const { reason: _reason, detail: _detail, ...ref } = run.entries.at(-1)!.payload as Record<string, unknown>;
    run.append(REPORT_EVENTS.accepted, { ...ref, headAfter: { sha256: sha('x'), bytes: 5 } });
    expect(run.current.problems.at(-1)?.en).toMatch(/accepted an event the rules refuse \(wrong_stage\)/);
    expect(run.current.signatures).toEqual([]);
  });

  it('the committee replay skips report entries; a report entry before the confirmation is a problem', () => {
    const committee = finalCommittee(2);
    const run = reportRun(committee);
    run.rendered('draft');
    run.dissent('K01', 'no');
    const replayed = replayCommittee(run.entries, run.lookup);
    expect(replayed.problems).toEqual([]);
    expect({ ...replayed, version: 0 }).toEqual({ ...committee.state, version: 0 });

    const early = [...committee.entries];
    early.splice(2, 0, { seq: 3, type: REPORT_EVENTS.dissentClosed, payload: {}, at: 3 });
    const renumbered = early.map((e, i) => ({ ...e, seq: i + 1 }));
    const state = replayCommittee(renumbered, committee.lookup);
    expect(state.stage).toBe('final');
    expect(replayReport(state, renumbered, committee.lookup)?.problems.map((p) => p.en)).toEqual([expect.stringContaining('comes before the results')]);
  });

  it("refuses a member who is not seated, at another member's booth, or a replaced one; a replacement signs in the leaver's seat", () => {
    const run = reportRun(
      finalCommittee(3, (c) => {
        const judged = c.act({ kind: 'replace', codename: 'K02', reason: 'absent', replacement: { codename: 'R-22', expert: 'alt-1', booth: 'booth-02', device: 'device-02' }, operator: 'op', why: 'ill' });
        if (!judged.ok) throw new Error(judged.message.en);
      }),
    );
    run.rendered('draft');
    expect(outcome(run.booth('device-09', REPORT_BOOTH_EVENTS.dissent, dissentPayload('K09', run.current.draft!.sha256, null)))).toBe('not_seated');
    expect(outcome(run.booth('device-02', REPORT_BOOTH_EVENTS.dissent, dissentPayload('K02', run.current.draft!.sha256, null)))).toBe('not_seated');
    expect(outcome(run.booth('device-01', REPORT_BOOTH_EVENTS.dissent, dissentPayload('K03', run.current.draft!.sha256, null)))).toBe('not_seated');
    expect(outcome(run.booth('device-01', REPORT_BOOTH_EVENTS.dissent, { codename: 'K01' }))).toBe('malformed');
    for (const c of ['K01', 'R-22', 'K03']) expect(outcome(run.dissent(c, null))).toBe('accepted');
    run.rendered('final');
    expect(run.current.turn).toBe('K01');
    expect(outcome(run.sign('K01'))).toBe('accepted');
    expect(run.current.turn).toBe('R-22');
    expect(outcome(run.sign('R-22', { fieldName: 'kawei-judge-4' }))).toBe('malformed');
    expect(outcome(run.sign('R-22'))).toBe('accepted');
    expect(run.current.signatures.map((s) => [s.codename, s.judge, s.fieldName])).toEqual([
      ['K01', 1, 'kawei-judge-1'],
      ['R-22', 2, 'kawei-judge-2'],
    ]);

    const views = reportBoothViews(run.committee, run.current);
    expect([...views.keys()].sort()).toEqual(['device-01', 'device-02', 'device-03']);
    const mine = views.get('device-02')!;
    expect(reportBoothPayloadSchema.parse(mine)).toMatchObject({ codename: 'R-22', fieldName: 'kawei-judge-2', stage: 'signing', turn: 'K03' });
    expect(mine.members.map((m) => [m.codename, m.judge, m.signature])).toEqual([
      ['K01', '评委1', 'signed'],
      ['R-22', '评委2', 'signed'],
      ['K03', '评委3', 'pending'],
    ]);
    expect(JSON.stringify([...views.values()])).not.toMatch(/expert-|alt-1/);
  });

  it('no booth view before the draft; every view says the same stage, heads and members', () => {
    const run = reportRun(finalCommittee(3));
    expect(reportBoothViews(run.committee, run.state).size).toBe(0);
    run.rendered('draft');
    run.dissent('K03', 'too low');
    const views = [...reportBoothViews(run.committee, run.current).values()];
    expect(views.map((v) => v.fieldName)).toEqual(['kawei-judge-1', 'kawei-judge-2', 'kawei-judge-3']);
    for (const v of views) {
      expect(reportBoothPayloadSchema.safeParse(v).success).toBe(true);
      expect(v).toMatchObject({ stage: 'dissent', final: null, head: null, turn: null, version: run.entries.at(-1)!.seq });
      expect(v.members.map((m) => m.dissent)).toEqual(['pending', 'pending', 'dissent']);
      expect(v.members[0]!.chair).toBe(true);
    }
  });
});

type Step = { kind: 'dissent'; who: number; text: boolean } | { kind: 'sign'; who: number; stale: boolean; sm2: boolean } | { kind: 'refuse'; who: number } | { kind: 'close' } | { kind: 'advance' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('dissent' as const), who: fc.nat(4), text: fc.boolean() }),
  fc.record({ kind: fc.constant('sign' as const), who: fc.nat(4), stale: fc.boolean(), sm2: fc.boolean() }),
  fc.record({ kind: fc.constant('refuse' as const), who: fc.nat(4) }),
  fc.constant({ kind: 'close' as const }),
  fc.constant({ kind: 'advance' as const }),
);

describe('property: any sequence of booth events and centre acts', () => {
  it('replays deterministically, signs in seat order, keeps a turn exactly while signing, and a judged ledger has no problems', () => {
    const committee = finalCommittee(4);
    const codenames = committee.state.members.map((m) => m.codename);
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const run = reportRun(committee);
        run.rendered('draft');
        for (const s of steps) {
          const r = run.current;
          switch (s.kind) {
            case 'dissent':
              run.dissent(codenames[s.who % 4]!, s.text ? 'reasons' : null);
              break;
            case 'sign':
              run.sign(codenames[s.who % 4]!, { ...(s.stale ? { headSha256: sha('stale') } : {}), ...(s.sm2 ? { format: 'cms-detached' } : {}) });
              break;
            case 'refuse':
              run.refuseToSign(codenames[s.who % 4]!);
              break;
            case 'close':
              if (r.stage === 'dissent' && r.dissentClosed === null) run.closeDissent();
              break;
            case 'advance':
              // What the service does: render the final once the window is closed, the supervisor once the members are done.
              if (r.stage === 'dissent' && r.dissents.length === 4) run.rendered('final');
              else if (r.stage === 'dissent' && r.dissentClosed !== null) run.rendered('final');
              else if (r.stage === 'supervisor') run.supervisor();
              break;
          }
        }
        const state = run.current;
        expect(state.problems).toEqual([]);
        expect(replayReport(committee.state, run.entries, run.lookup)).toEqual(state);
        const signedMembers = state.signatures.filter((x) => x.role === 'member').map((x) => x.judge!);
        expect(signedMembers).toEqual([...signedMembers].sort((a, b) => a - b));
        expect(state.turn !== null).toBe(state.stage === 'signing');
        if (state.turn !== null) {
          const done = new Set([...state.signatures.map((x) => x.codename), ...state.refusalsToSign.map((x) => x.codename)]);
          expect(state.turn).toBe(codenames.find((c) => !done.has(c)));
        }
        // Each signature sits on the head the one before left.
        let head = state.final?.sha256;
        for (const sig of state.signatures) {
          expect(sig.headBefore).toBe(head);
          head = sig.headAfter?.sha256 ?? head;
        }
        if (state.head !== null) expect(state.head.sha256).toBe(head);
      }),
      { seed: Number(process.env['FC_SEED'] ?? 1414), numRuns: 150 },
    );
  });
});
