/**
 * The booth's USB key end to end: a SoftHSM2 token standing in for the expert's key (made on the
 * token, certified by a test CA), the real face pipeline for the login, `openssl cms -verify` as the
 * independent check of the commitment signature, and the key pulled out (softhsm2-util
 * --delete-token from another process) to lock the screen. The central is away throughout.
 */
import { commitmentLetterSchema, commitmentSignedPayloadSchema } from '@kawei/shared/api/signed-submissions.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '@kawei/shared/errors.ts';
import { MESSAGES } from '@kawei/shared/i18n/messages.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { signedDocumentSchema } from '@kawei/shared/signing/canonical-signing.ts';
import { SIGNING_ERROR_CODES, SigningError } from '@kawei/shared/signing/signing-errors.ts';
import type { TestToken } from '../../scripts/lib/softhsm-token.node.ts';
import { caFromParty } from '../../shared/test/signing/crl-openssl.node.ts';
import { openssl } from '../../shared/test/signing/sm2-openssl.node.ts';
import { signingErrorText } from '../src/renderer/booth-view.ts';
import { commonName, toBoothSigningError } from '../src/services/signing/booth-signer.node.ts';
import {
  closeSuite,
  CODENAME,
  enrolledBoothDir,
  facesPayload,
  framesUntil,
  loadKeyAndFaces,
  openBooth,
  opensslVerify,
  PROJECT,
  tempDir,
  waitFor,
  type Booth,
  type Faces,
} from './booth-test-kit.node.ts';

describe('the contract codes of signing errors', () => {
  it('maps every signing-layer code to PIN_INCORRECT, PIN_LOCKED, TOKEN_ABSENT, CERT_REJECTED or SIGNING_FAILED', () => {
    const expected: Record<string, string> = {
      PIN_INCORRECT: 'PIN_INCORRECT',
      PIN_FORMAT: 'PIN_INCORRECT',
      PIN_LOCKED: 'PIN_LOCKED',
      TOKEN_NOT_FOUND: 'TOKEN_ABSENT',
      TOKEN_REMOVED: 'TOKEN_ABSENT',
      SIGNER_CLOSED: 'TOKEN_ABSENT',
      CERT_UNTRUSTED: 'CERT_REJECTED',
      CERT_EXPIRED: 'CERT_REJECTED',
      CERT_NOT_YET_VALID: 'CERT_REJECTED',
      CERT_KEY_USAGE: 'CERT_REJECTED',
      CERT_REVOKED: 'CERT_REJECTED',
      CRL_UNAVAILABLE: 'CERT_REJECTED',
      CERT_MALFORMED: 'CERT_REJECTED',
      TRUST_LIST_EMPTY: 'CERT_REJECTED',
      MODULE_LOAD_FAILED: 'SIGNING_FAILED',
      SIGN_FAILED: 'SIGNING_FAILED',
      TOKEN_ERROR: 'SIGNING_FAILED',
    };
    for (const code of SIGNING_ERROR_CODES) {
      const mapped = toBoothSigningError(new SigningError(code, 'detail'));
      expect(mapped).toBeInstanceOf(ApiError);
      expect(['PIN_INCORRECT', 'PIN_LOCKED', 'TOKEN_ABSENT', 'CERT_REJECTED', 'SIGNING_FAILED']).toContain(mapped.code);
      if (expected[code]) expect(mapped.code, code).toBe(expected[code]);
      expect(mapped.details).toMatchObject({ signingCode: code });
    }
    expect(toBoothSigningError(new Error('boom')).code).toBe('SIGNING_FAILED');
    expect(commonName('CN=HK-37, O=Kawei Test PKI, C=CN')).toBe('HK-37');
  });

  it('a revoked certificate (or no fresh CRL) keeps CERT_REJECTED as the contract code, and the PIN pad says why in Chinese and English', () => {
    const revoked = toBoothSigningError(new SigningError('CERT_REVOKED', 'serial 1a', { details: { reasonCode: 1, reason: 'keyCompromise' } }));
    expect(revoked).toMatchObject({ code: 'CERT_REJECTED', details: { signingCode: 'CERT_REVOKED', signingDetails: { reasonCode: 1, reason: 'keyCompromise' } } });
    expect(signingErrorText(revoked, 'zh-CN')).toBe('USB Key 证书已吊销，不能签名，请联系工作人员');
    expect(signingErrorText(revoked, 'en')).toBe(MESSAGES.en['booth.signing.CERT_REVOKED']);
    const unavailable = toBoothSigningError(new SigningError('CRL_UNAVAILABLE'));
    expect(signingErrorText(unavailable, 'zh-CN')).toBe(MESSAGES['zh-CN']['booth.signing.CRL_UNAVAILABLE']);
    // every other refusal keeps its contract code's words
    expect(signingErrorText(toBoothSigningError(new SigningError('CERT_UNTRUSTED')), 'zh-CN')).toBe(MESSAGES['zh-CN']['error.CERT_REJECTED']);
    expect(signingErrorText(new ApiError('PIN_INCORRECT', 'x', { signingCode: 'toString' }), 'en')).toBe(MESSAGES.en['error.PIN_INCORRECT']);
  });
});

describe('commitment letter and score signing with the USB key (SoftHSM2)', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl'));
  let token: TestToken;
  let pipeline: FacePipeline;
  let faces: Faces;

  beforeAll(async () => {
    ({ token, pipeline, faces } = await loadKeyAndFaces());
  }, 120_000);

  afterAll(() => {
    closeSuite(pipeline);
  });

  const open = (config: Record<string, unknown> = {}): Booth =>
    openBooth(enrolledBoothDir({ faces: facesPayload(faces.template, pipeline.model) }), pipeline, { trustDir: token.trustDir, ...config });

  async function logIn(booth: Booth): Promise<void> {
    await framesUntil(booth, faces.expert, (o) => o.notice === 'logged_in', 10);
    await waitFor('the key to be seen', () => booth.services.signer.tokenView().present);
  }

  it('wrong PIN → PIN_INCORRECT; the letter is then signed, openssl verifies it with the CA, the phase moves to working', async () => {
    const booth = open();
    try {
      await logIn(booth);
      const before = await booth.call<BoothSession>('getSession');
      expect(before).toMatchObject({ phase: 'commitment', token: { present: true, label: 'expert-key' }, commitmentSigned: false });
      const letter = await booth.call<{ text: string; sha256: string }>('getCommitment');

      expect(await booth.error('signCommitment', { pin: '999999' })).toBe('PIN_INCORRECT');
      expect(await booth.error('signCommitment', { pin: '12' })).toBe('BAD_INPUT');
      expect((await booth.call<BoothSession>('getSession')).phase).toBe('commitment');
      expect(booth.events('booth.commitment_signed')).toHaveLength(0);

      const signed = await booth.call<{ signedAt: number; signer: string; eventSeq: number }>('signCommitment', { pin: token.pin });
      expect(signed.signer).toBe(CODENAME);
      const after = await booth.call<BoothSession>('getSession');
      expect(after).toMatchObject({ phase: 'working', commitmentSigned: true });
      expect(booth.sessions.at(-1)).toMatchObject({ phase: 'working', commitmentSigned: true });

      // the event carries the CMS and the document; the central is away, so it waits in the log
      const [event] = booth.events('booth.commitment_signed');
      expect(event!.seq).toBe(signed.eventSeq);
      const doc = signedDocumentSchema.parse(event!.payload.document);
      // What the central checks it against (kawei-central signatures): the booth's payload fits it.
      expect(commitmentSignedPayloadSchema.safeParse(event!.payload).error).toBeUndefined();
      expect(commitmentLetterSchema.safeParse(JSON.parse(doc.content)).error).toBeUndefined();
      expect(event!.payload).toMatchObject({ expert: 'exp-a', codename: CODENAME, project: PROJECT, cms: doc.cms, signer: CODENAME });
      expect(doc.kind).toBe('commitment-letter');
      expect(doc.contentSha256).toBe(letter.sha256);
      const content = JSON.parse(doc.content) as { text: string; codename: string; project: string };
      expect(content.text).toBe(letter.text);
      expect(content).toMatchObject({ codename: CODENAME, project: PROJECT });

      const verdict = await opensslVerify(token.dir, doc.content, doc.cms, join(token.trustDir, 'ca-1.pem'));
      expect(verdict.output).toContain('Verification successful');
      expect(verdict.ok).toBe(true);
      // one byte changed in the letter: openssl refuses it
      expect((await opensslVerify(token.dir, doc.content.replace('独立', '单独'), doc.cms, join(token.trustDir, 'ca-1.pem'))).ok).toBe(false);

      // the signed letter is what getCommitment shows from now on; it is not signed twice
      expect(await booth.call('getCommitment')).toMatchObject({ sha256: letter.sha256, signedAt: signed.signedAt });
      expect(await booth.error('signCommitment', { pin: token.pin })).toBe('WRONG_PHASE');

      // the scoring engineer's entry point: the same key, the score sheet as canonical JSON
      const scores = await booth.services.signer.sign('scores', { project: PROJECT, scores: { A: { tech: 41.5 } } }, token.pin);
      expect(scores.document.kind).toBe('score-sheet');
      expect(scores.signer).toBe(CODENAME);
      expect(scores.cmsBase64).toBe(scores.document.cms);
      expect((await opensslVerify(token.dir, scores.document.content, scores.cmsBase64, join(token.trustDir, 'ca-1.pem'))).ok).toBe(true);
      await expect(booth.services.signer.sign('scores', { x: 1 }, '000000')).rejects.toMatchObject({ code: 'PIN_INCORRECT' });

      // after a restart the login goes straight back to working (the key is present)
      await booth.call('logout');
      await booth.services.close();
      const again = openBooth(booth.dir, pipeline, { trustDir: token.trustDir });
      try {
        await waitFor('the key', () => again.services.signer.tokenView().present);
        await framesUntil(again, faces.expert, (o) => o.notice === 'logged_in', 10);
        expect(await again.call<BoothSession>('getSession')).toMatchObject({ phase: 'working', commitmentSigned: true });
        expect(again.events('booth.login').at(-1)!.payload).toMatchObject({ to: 'working' });
      } finally {
        await again.services.close();
      }
    } finally {
      await booth.services.close();
    }
  });

  it('a certificate from a CA outside the trust list, or no trust list, is refused CERT_REJECTED before the key signs', async () => {
    const other = await token.createCa('Kawei Other CA');
    const otherDir = tempDir('kawei-booth-othertrust-');
    mkdirSync(otherDir, { recursive: true });
    writeFileSync(join(otherDir, 'other.pem'), other.pem);
    const untrusted = open({ trustDir: otherDir });
    const none = openBooth(enrolledBoothDir({ faces: facesPayload(faces.template, pipeline.model) }), pipeline);
    try {
      await logIn(untrusted);
      expect(await untrusted.error('signCommitment', { pin: token.pin })).toBe('CERT_REJECTED');
      await logIn(none);
      expect(await none.error('signCommitment', { pin: token.pin })).toBe('CERT_REJECTED');
      expect(untrusted.events('booth.commitment_signed')).toHaveLength(0);
    } finally {
      await untrusted.services.close();
      await none.services.close();
    }
  });

  it('through the services: files and the sheet only after the commitment; scores saved, submitted with the key (openssl verifies), the phase becomes submitted', async () => {
    const booth = open();
    try {
      await logIn(booth);
      expect(await booth.error('getScoreSheet')).toBe('COMMITMENT_REQUIRED');
      await booth.call('signCommitment', { pin: token.pin });
      expect(await booth.call('listFiles')).toEqual([]);
      const sheet = await booth.call<{ bidders: string[]; criteria: { id: string }[] }>('getScoreSheet');
      expect(sheet.bidders).toEqual(['A', 'B']);
      expect(JSON.stringify(sheet)).not.toContain('恒通');
      expect(await booth.error('submitScores', { pin: token.pin })).toBe('SHEET_INCOMPLETE');
      const values: Record<string, number> = { tech: 30, biz: 10, price: 20 };
      for (const bidder of sheet.bidders) for (const c of sheet.criteria) await booth.call('saveScore', { bidder, criterion: c.id, value: values[c.id] });
      expect(await booth.error('submitScores', { pin: '999999' })).toBe('PIN_INCORRECT');
      const result = await booth.call<{ signer: string; eventSeq: number }>('submitScores', { pin: token.pin });
      expect(result.signer).toBe(CODENAME);
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'submitted' });
      expect(await booth.error('saveScore', { bidder: 'A', criterion: 'tech', value: 31 })).toBe('SHEET_FROZEN');
      const [event] = booth.events('booth.scores_submitted');
      expect(event!.seq).toBe(result.eventSeq);
      const signed = signedDocumentSchema.parse(event!.payload.signed);
      expect(signed.kind).toBe('score-sheet');
      expect((await opensslVerify(token.dir, signed.content, signed.cms, join(token.trustDir, 'ca-1.pem'))).ok).toBe(true);
      // the files stay readable after submitting; the sheet is shown frozen
      expect(await booth.call('listFiles')).toEqual([]);
      expect(await booth.call('getScoreSheet')).toMatchObject({ status: 'submitted' });
    } finally {
      await booth.services.close();
    }
  });

  it('a CRL dropped into the trust folder revokes the key: CERT_REJECTED (signingCode CERT_REVOKED) before the key signs, 证书已吊销 on the PIN pad; the CRLs are logged', async () => {
    // The CA that certified the token's key, as an `openssl ca` directory: revoke, then gencrl.
    const ca = token.cas[0]!;
    const caDir = tempDir('kawei-booth-crl-ca-');
    const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', ca.keys.privateKey)).toString('base64');
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
    const caTool = caFromParty(caDir, { keyFile: '', certFile: '', keyPem, certPem: ca.pem, certDer: ca.der, serial: '' });
    writeFileSync(join(caDir, 'expert.pem'), token.certificate.pem);
    await caTool.revoke(join(caDir, 'expert.pem'), 'keyCompromise');
    const crl = await caTool.gencrl('ca-1');
    // OpenSSL's verdict on the same certificate and CRL
    const theirs = await openssl(['verify', '-crl_check', '-CAfile', 'ca.pem', '-CRLfile', crl.file, 'expert.pem'], caDir);
    expect(theirs.ok).toBe(false);
    expect(theirs.output).toContain('certificate revoked');

    const trustDir = tempDir('kawei-booth-crl-trust-');
    mkdirSync(trustDir, { recursive: true });
    for (const name of readdirSync(token.trustDir)) copyFileSync(join(token.trustDir, name), join(trustDir, name));
    const logged: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    const booth = open({ trustDir });
    try {
      await logIn(booth);
      // the technician's update: the CA's CRL, and a broken download beside it
      writeFileSync(join(trustDir, 'ca-1.crl'), crl.der);
      writeFileSync(join(trustDir, 'junk.crl'), 'not a CRL');
      // what the renderer receives over IPC
      const answer = await booth.services.dispatch('signCommitment', { pin: token.pin });
      if (answer.ok) throw new Error('signed with a revoked certificate');
      const error = ApiError.fromBody(answer.error);
      expect(error).toMatchObject({
        code: 'CERT_REJECTED',
        details: { signingCode: 'CERT_REVOKED', zh: expect.stringContaining('证书已吊销'), signingDetails: { leaf: true, reasonCode: 1, reason: 'keyCompromise' } },
      });
      expect(signingErrorText(error, 'zh-CN')).toBe('USB Key 证书已吊销，不能签名，请联系工作人员');
      expect(booth.events('booth.commitment_signed')).toHaveLength(0);
      expect((await booth.call<BoothSession>('getSession')).phase).toBe('commitment');
      await expect(booth.services.signer.sign('scores', { x: 1 }, token.pin)).rejects.toMatchObject({ code: 'CERT_REJECTED' });

      // the log: first no CRL (read at start), then the folder read again with the CRL in use, the junk named, the refusal
      const log = logged.join('\n');
      expect(log).toMatch(/no CRL of CN=Kawei Test CA 1.*unknown \(allowed\)/);
      expect(log).toMatch(/CRL \S*ca-1\.crl of CN=Kawei Test CA 1.* in use \(number 1,.* 1 revoked\)/);
      expect(log).toMatch(/CRL problem: \S*junk\.crl: not a usable CRL/);
      expect(log).toMatch(/signature refused: the certificate has been revoked .*keyCompromise/);
    } finally {
      warn.mockRestore();
      await booth.services.close();
    }
  });

  it('with requireFreshCrl in the booth config, a CA without a CRL in the trust folder means no signature (CRL_UNAVAILABLE)', async () => {
    const trustDir = tempDir('kawei-booth-nocrl-trust-');
    mkdirSync(trustDir, { recursive: true });
    for (const name of readdirSync(token.trustDir)) if (!name.endsWith('.crl')) copyFileSync(join(token.trustDir, name), join(trustDir, name));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const booth = open({ trustDir, requireFreshCrl: true });
    try {
      await logIn(booth);
      const answer = await booth.services.dispatch('signCommitment', { pin: token.pin });
      if (answer.ok) throw new Error('signed without a CRL although the booth requires one');
      expect(ApiError.fromBody(answer.error)).toMatchObject({ code: 'CERT_REJECTED', details: { signingCode: 'CRL_UNAVAILABLE' } });
      expect(booth.events('booth.commitment_signed')).toHaveLength(0);
    } finally {
      warn.mockRestore();
      await booth.services.close();
    }
    // The same folder without the setting signs (revocation 'unknown' is allowed by default): see the tests above.
  });

  // Last: the token is deleted for good.
  // How soon: the key watch polls every tokenPollMs, and a removal is reported at the first poll after
  // it (shared/test/signing/token-removal.test.ts steps the poll). No wall-clock budget here.
  it('pulling the key locks the screen by itself, with no frame or call (booth.token_removed); a face alone does not unlock without the key', async () => {
    const booth = open({ tokenPollMs: 200 });
    try {
      await logIn(booth);
      await booth.call('signCommitment', { pin: token.pin });
      expect((await booth.call<BoothSession>('getSession')).phase).toBe('working');

      await token.deleteToken();
      await waitFor('the lock', () => booth.sessions.at(-1)?.phase === 'locked', 10_000);
      expect(booth.sessions.at(-1)).toMatchObject({ phase: 'locked', lockReason: 'token_removed', token: { present: false }, codename: null });
      expect(booth.events('booth.token_removed')[0]!.payload).toMatchObject({ phase: 'working', label: 'expert-key' });
      expect(booth.events('booth.locked').at(-1)!.payload).toMatchObject({ reason: 'token_removed', from: 'working' });

      // the expert's face is recognised, but the key is still out: the lock stays
      await booth.frame(faces.expert);
      await booth.frame(faces.expert);
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'locked', lockReason: 'token_removed' });
      expect(booth.events('booth.unlocked')).toHaveLength(0);
      expect(await booth.error('listFiles')).toBe('WRONG_PHASE');
      expect(await booth.error('logout')).toBe('WRONG_PHASE');
      await expect(booth.services.signer.sign('scores', {}, token.pin)).rejects.toMatchObject({ code: 'TOKEN_ABSENT' });
    } finally {
      await booth.services.close();
    }
  });
});
