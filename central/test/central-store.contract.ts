import { afterEach, describe, expect, it } from 'vitest';
import { TopologyConflictError, type CentralStore } from '../src/storage/central-store.ts';
import { TestDevice } from './device-signer.ts';
import { attempt, T0 } from './store-fixtures.ts';
import { seedDemo, type NewStoreLocation, type StoreLocation } from './store-backends.ts';
import { addCode } from './store-fixtures.ts';

/**
 * What every CentralStore must do, whatever it stores on: central-store.sqlite.test.ts and
 * store.postgres.test.ts run this suite against their backend. `newLocation` gives each test a fresh,
 * empty place (a file, a database); tests open one or more stores on it. Stores a test leaves open
 * (because it failed half-way) are closed after it.
 */
export function describeCentralStoreContract(name: string, newLocation: NewStoreLocation): void {
  const opened: CentralStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  /** A fresh location whose open() is tracked for the clean-up above. */
  async function location(): Promise<StoreLocation> {
    const fresh = await newLocation();
    return {
      ...fresh,
      open: async () => {
        const store = await fresh.open();
        opened.push(store);
        return store;
      },
    };
  }
  async function openFresh(): Promise<CentralStore> {
    return (await location()).open();
  }
  async function openDemo(): Promise<CentralStore> {
    return seedDemo(await openFresh());
  }

  describe(`${name}: schema and identity`, () => {
    it('migrates once and keeps data and the central identity across reopen', async () => {
      const where = await location();
      const first = await where.open();
      const identity = await first.getCentralIdentity();
      await first.createSite({ id: 'site-a', name: '甲中心' });
      await first.close();

      const second = await where.open();
      expect(await second.getCentralIdentity()).toEqual(identity);
      expect((await second.listSiteTrees()).map((s) => s.id)).toEqual(['site-a']);
      await second.close();
      expect(identity.centralId).toMatch(/^central-[0-9a-f]{12}$/);
      expect(identity.privateKeyPkcs8).toBeInstanceOf(Buffer);
    });

    it('stores the operator token hash only once', async () => {
      const store = await openFresh();
      expect(await store.getOperatorTokenHash()).toBeNull();
      expect(await store.setOperatorTokenHashIfAbsent('a'.repeat(64))).toBe(true);
      expect(await store.setOperatorTokenHashIfAbsent('b'.repeat(64))).toBe(false);
      expect(await store.getOperatorTokenHash()).toBe('a'.repeat(64));
      await store.close();
    });
  });

  describe(`${name}: topology`, () => {
    it('creates a room with all its booths, labelled and with deterministic ids', async () => {
      const store = await openFresh();
      await store.createSite({ id: 'site-a', name: '甲中心' });
      const room = await store.createRoom({ id: 'room-7', siteId: 'site-a', number: 7, rows: 3, cols: 3 });
      expect(room.name).toBe('7号评标室');
      expect(room.booths.map((b) => b.label)).toEqual(['A1', 'A2', 'A3', 'B1', 'B2', 'B3', 'C1', 'C2', 'C3']);
      expect(room.booths.map((b) => b.id)).toContain('room-7-B2');
      expect(room.booths.find((b) => b.label === 'C1')).toMatchObject({ row: 2, col: 0, roomId: 'room-7' });
      await store.close();
    });

    it('refuses duplicate ids and room numbers, unknown sites and misplaced room doors', async () => {
      const store = await openFresh();
      await store.createSite({ id: 'site-a', name: '甲' });
      await store.createSite({ id: 'site-b', name: '乙' });
      await store.createRoom({ id: 'room-1', siteId: 'site-a', number: 1, rows: 1, cols: 1 });
      await expect(store.createSite({ id: 'site-a', name: '又一个' })).rejects.toBeInstanceOf(TopologyConflictError);
      await expect(store.createRoom({ siteId: 'site-a', number: 1, rows: 1, cols: 1 })).rejects.toBeInstanceOf(
        TopologyConflictError,
      );
      await expect(store.createRoom({ siteId: 'nowhere', number: 2, rows: 1, cols: 1 })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        store.createGate({ siteId: 'site-b', name: '门', role: 'room_door', roomId: 'room-1' }),
      ).rejects.toMatchObject({ code: 'BAD_INPUT' });
      const gate = await store.createGate({ siteId: 'site-a', name: '门', role: 'room_door', roomId: 'room-1' });
      expect(gate.id).toMatch(/^gate-[0-9a-f]{8}$/);
      await store.close();
    });

    it('imports the demo topology idempotently', async () => {
      const store = await openDemo();
      const trees = await store.listSiteTrees();
      expect(trees.map((s) => s.id)).toEqual(['site-city', 'site-county']);
      const city = trees.find((s) => s.id === 'site-city')!;
      expect(city.rooms.map((r) => [r.id, r.booths.length])).toEqual([
        ['room-3', 9],
        ['room-5', 9],
      ]);
      expect(city.gates.map((g) => [g.id, g.role, g.roomId])).toEqual([
        ['gate-entrance', 'area_entrance', null],
        ['gate-room-3', 'room_door', 'room-3'],
      ]);
      const county = trees.find((s) => s.id === 'site-county')!;
      expect(county.rooms[0]!.booths.map((b) => b.id)).toEqual([
        'room-county-1-A1',
        'room-county-1-A2',
        'room-county-1-A3',
        'room-county-1-B1',
        'room-county-1-B2',
        'room-county-1-B3',
      ]);
      const { readTopologyFile, DEMO_TOPOLOGY_FILE } = await import('../src/topology/topology-file.node.ts');
      expect(await store.importTopology(readTopologyFile(DEMO_TOPOLOGY_FILE))).toEqual({
        created: { sites: 0, rooms: 0, booths: 0, gates: 0 },
      });
      expect(await store.listSiteTrees()).toEqual(trees);
      await store.close();
    });

    it('lists ids in byte order, whatever the locale', async () => {
      const store = await openFresh();
      for (const id of ['site-b', 'Site-Z', 'site-a', 'site-_', 'site-中']) await store.createSite({ id, name: id });
      expect((await store.listSiteTrees()).map((s) => s.id)).toEqual(['Site-Z', 'site-_', 'site-a', 'site-b', 'site-中']);
      await store.close();
    });
  });

  describe(`${name}: enrolment codes`, () => {
    it('enrols with a code exactly once and records who used it', async () => {
      const where = await location();
      const store = await seedDemo(await where.open());
      await addCode(store, 'AAAA2222', { kind: 'booth', boothId: 'room-3-A1' });
      const { device, position } = await store.consumeEnrolmentCode(attempt('AAAA2222', 'booth'));
      expect(device).toMatchObject({ kind: 'booth', target: { kind: 'booth', boothId: 'room-3-A1' }, status: 'active' });
      expect(position).toMatchObject({ kind: 'booth', site: { id: 'site-city' }, room: { id: 'room-3' }, booth: { label: 'A1' } });
      await expect(store.consumeEnrolmentCode(attempt('AAAA2222', 'booth'))).rejects.toMatchObject({ code: 'ENROL_CODE_USED' });

      const rows = await where.rows('enrolment_codes');
      expect(rows).toEqual([expect.objectContaining({ used_by_device: device.id, used_at: T0 + 1000 })]);
      expect(JSON.stringify(rows)).not.toContain('AAAA2222'); // only the hash is kept
      await store.close();
    });

    it('lets exactly one of two concurrent consumers on separate connections win', async () => {
      const where = await location();
      const setup = await seedDemo(await where.open());
      await addCode(setup, 'BBBB3333', { kind: 'booth', boothId: 'room-3-A2' });
      const a = await where.open();
      const b = await where.open();
      const outcomes = await Promise.allSettled([
        a.consumeEnrolmentCode(attempt('BBBB3333', 'booth')),
        b.consumeEnrolmentCode(attempt('BBBB3333', 'booth')),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'ENROL_CODE_USED' } });
      expect(await setup.listDevices()).toHaveLength(1);
      for (const s of [a, b, setup]) await s.close();
    });

    it('refuses unknown, expired and wrong-kind codes without spending them', async () => {
      const store = await openDemo();
      await expect(store.consumeEnrolmentCode(attempt('ZZZZ9999', 'booth'))).rejects.toMatchObject({
        code: 'ENROL_CODE_INVALID',
      });

      await addCode(store, 'DDDD5555', { kind: 'gate', gateId: 'gate-entrance' }, { createdAt: T0, ttlMs: 60_000 });
      await expect(store.consumeEnrolmentCode(attempt('DDDD5555', 'booth', undefined, T0 + 1000))).rejects.toMatchObject({
        code: 'ENROL_CODE_WRONG_KIND',
      });
      await expect(store.consumeEnrolmentCode(attempt('DDDD5555', 'gate', undefined, T0 + 60_000))).rejects.toMatchObject({
        code: 'ENROL_CODE_EXPIRED',
      });
      // Neither refusal spent the code: one millisecond before expiry it still works.
      const { position } = await store.consumeEnrolmentCode(attempt('DDDD5555', 'gate', undefined, T0 + 59_999));
      expect(position).toMatchObject({ kind: 'gate', gate: { id: 'gate-entrance' }, room: null });
      await store.close();
    });

    it('refuses a code for an unknown position', async () => {
      const store = await openDemo();
      await expect(addCode(store, 'EEEE6666', { kind: 'booth', boothId: 'room-3-Z9' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      const code = { codeSha256Hex: 'x', target: { kind: 'gate', gateId: 'gate-room-3' }, createdAt: T0, expiresAt: T0 + 1 } as const;
      expect(await store.createEnrolmentCode(code)).toBe(true);
      expect(await store.createEnrolmentCode(code)).toBe(false);
      await store.close();
    });
  });

  describe(`${name}: devices`, () => {
    it('keeps a position for its active device, and frees it when the operator revokes that device', async () => {
      const store = await openDemo();
      await addCode(store, 'FFFF7777', { kind: 'booth', boothId: 'room-5-B2' });
      await addCode(store, 'GGGG8888', { kind: 'booth', boothId: 'room-5-B2' });
      const old = await store.consumeEnrolmentCode(attempt('FFFF7777', 'booth'));

      const replacement = new TestDevice();
      await expect(store.consumeEnrolmentCode(attempt('GGGG8888', 'booth', replacement))).rejects.toMatchObject({
        code: 'POSITION_TAKEN',
      });
      const revoked = await store.revokeDevice(old.device.id, T0 + 5000);
      expect(revoked).toMatchObject({ status: 'revoked', revokedAt: T0 + 5000 });
      expect(await store.revokeDevice(old.device.id, T0 + 9000)).toMatchObject({ revokedAt: T0 + 5000 });

      const fresh = await store.consumeEnrolmentCode(attempt('GGGG8888', 'booth', replacement, T0 + 6000));
      expect(fresh.position).toMatchObject({ booth: { id: 'room-5-B2' } });
      expect((await store.listDevices()).map((d) => [d.id, d.status])).toEqual([
        [old.device.id, 'revoked'],
        [fresh.device.id, 'active'],
      ]);
      await expect(store.revokeDevice('dev-missing', T0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await store.close();
    });

    it('refuses to enrol the same key twice', async () => {
      const store = await openDemo();
      await addCode(store, 'HHHH9999', { kind: 'booth', boothId: 'room-5-A1' });
      await addCode(store, 'JJJJ2222', { kind: 'booth', boothId: 'room-5-A2' });
      const device = new TestDevice();
      await store.consumeEnrolmentCode(attempt('HHHH9999', 'booth', device));
      await expect(store.consumeEnrolmentCode(attempt('JJJJ2222', 'booth', device))).rejects.toMatchObject({
        code: 'ALREADY_ENROLLED',
      });
      await store.close();
    });

    it('accepts a nonce once from an active device, stamps last_seen_at, and forgets nonces after they expire', async () => {
      const store = await openDemo();
      await addCode(store, 'KKKK3333', { kind: 'booth', boothId: 'room-5-A3' });
      const { device } = await store.consumeEnrolmentCode(attempt('KKKK3333', 'booth'));
      const nonce = 'nonce-aaaaaaaaaaaaaaaa';
      expect(await store.acceptDeviceNonce({ deviceId: device.id, nonce, expiresAt: T0 + 10_000, now: T0 + 2000 })).toBe('accepted');
      expect((await store.getDevice(device.id))!.lastSeenAt).toBe(T0 + 2000);
      expect(await store.acceptDeviceNonce({ deviceId: device.id, nonce, expiresAt: T0 + 10_000, now: T0 + 3000 })).toBe('replayed');
      expect((await store.getDevice(device.id))!.lastSeenAt).toBe(T0 + 2000);
      // Purged once expired: only the timestamp window (checked before) keeps such a request out.
      expect(await store.acceptDeviceNonce({ deviceId: device.id, nonce, expiresAt: T0 + 20_000, now: T0 + 10_000 })).toBe('accepted');

      await store.revokeDevice(device.id, T0 + 11_000);
      expect(
        await store.acceptDeviceNonce({ deviceId: device.id, nonce: 'nonce-bbbbbbbbbbbbbbbb', expiresAt: T0 + 30_000, now: T0 + 12_000 }),
      ).toBe('revoked');
      expect((await store.getDevice(device.id))!.lastSeenAt).toBe(T0 + 10_000);
      expect(await store.acceptDeviceNonce({ deviceId: 'dev-unknown', nonce, expiresAt: T0 + 30_000, now: T0 + 12_000 })).toBe('revoked');
      await store.close();
    });

    it('forgets a revoked device’s nonces and finds its position by id', async () => {
      const where = await location();
      const store = await seedDemo(await where.open());
      await addCode(store, 'MMMM4444', { kind: 'gate', gateId: 'gate-room-3' });
      const { device } = await store.consumeEnrolmentCode(attempt('MMMM4444', 'gate'));
      await store.acceptDeviceNonce({ deviceId: device.id, nonce: 'nonce-cccccccccccccccc', expiresAt: T0 + 10_000, now: T0 + 2000 });
      expect(await where.rows('device_nonces')).toHaveLength(1);
      await store.revokeDevice(device.id, T0 + 3000);
      expect(await where.rows('device_nonces')).toEqual([]);

      expect(await store.getPosition({ kind: 'gate', gateId: 'gate-room-3' })).toMatchObject({
        kind: 'gate',
        site: { id: 'site-city' },
        gate: { id: 'gate-room-3', role: 'room_door' },
        room: { id: 'room-3' },
      });
      expect(await store.getPosition({ kind: 'booth', boothId: 'room-county-1-B3' })).toMatchObject({
        site: { id: 'site-county' },
        booth: { label: 'B3', row: 1, col: 2 },
      });
      expect(await store.getPosition({ kind: 'booth', boothId: 'room-9-A1' })).toBeNull();
      expect(await store.getDevice('dev-missing')).toBeNull();
      await store.close();
    });
  });
}
