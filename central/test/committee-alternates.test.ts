import { describe, expect, it } from 'vitest';
import { decodeEmbedding } from '@kawei/shared/api/gate-roster.ts';
import { alternateCodename } from '../src/committee/alternate-codename.node.ts';
import { alternateFacesMessage } from '../src/committee/alternate-faces.node.ts';
import { CODENAME_DIGITS, CODENAME_LETTERS } from '../src/draw/codenames.ts';

const SEED = '5e'.repeat(32);
const SHAPE = new RegExp(`^[${CODENAME_LETTERS}]{2}-[${CODENAME_DIGITS}]{2}$`);

describe("an alternate's code name", () => {
  it('is derived from the seed and the alternate: the same inputs give the same name, others another', () => {
    const name = alternateCodename(SEED, 'alt-1', new Set());
    expect(name).toMatch(SHAPE);
    expect(alternateCodename(SEED, 'alt-1', new Set())).toBe(name);
    expect(alternateCodename(SEED, 'alt-2', new Set())).not.toBe(name);
    expect(alternateCodename('7a'.repeat(32), 'alt-1', new Set())).not.toBe(name);
  });

  it('skips every name already used that day', () => {
    const first = alternateCodename(SEED, 'alt-1', new Set());
    const used = new Set([first]);
    const second = alternateCodename(SEED, 'alt-1', used);
    expect(second).not.toBe(first);
    expect(second).toMatch(SHAPE);
    used.add(second);
    expect(used.has(alternateCodename(SEED, 'alt-1', used))).toBe(false);
  });
});

describe("an alternate's face template for the booth", () => {
  const template = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) / 8);
  const registry = { model: 'test-model-v1', experts: [{ id: 'alt-1', template }, { id: 'alt-2', template: null }] };

  it('is the registry template and model, for the booth device, and nothing else about the person', () => {
    const message = alternateFacesMessage(registry, { expert: 'alt-1', device: 'dev-b3' }, '2026-12-07');
    expect(message).toMatchObject({ deviceId: 'dev-b3', type: 'faces.booth', payload: { date: '2026-12-07', expert: 'alt-1', model: 'test-model-v1' } });
    expect(Object.keys(message!.payload).sort()).toEqual(['date', 'embedding', 'expert', 'model']);
    expect(Array.from(decodeEmbedding(message!.payload.embedding))).toEqual(Array.from(template));
  });

  it('is null without a usable photo, or for someone the registry does not know', () => {
    expect(alternateFacesMessage(registry, { expert: 'alt-2', device: 'dev-b3' }, '2026-12-07')).toBeNull();
    expect(alternateFacesMessage(registry, { expert: 'nobody', device: 'dev-b3' }, '2026-12-07')).toBeNull();
  });
});
