import { describe, expect, it } from 'vitest';
import { isBlockedShortcut } from '../src/renderer/no-copy.dom.ts';
import { PageAbortedError, PageImages } from '../src/renderer/page-images.ts';

const key = (k: string, ctrl = true) => ({ key: k, ctrlKey: ctrl, metaKey: false, altKey: false });

describe('page images', () => {
  it('asks at most `concurrency` pages at once, newest first, and drops the ones cancelled before their turn', async () => {
    const asked: number[] = [];
    const release: (() => void)[] = [];
    const images = new PageImages(
      (_file, page) => {
        asked.push(page);
        return new Promise((resolve) => release.push(() => resolve({ mime: 'image/png', data: `p${page}` })));
      },
      10,
      2,
    );
    const loads = [1, 2, 3, 4, 5].map((p) => images.load('f', p, 1));
    expect(asked).toEqual([1, 2]);
    loads[2]!.cancel();
    await expect(loads[2]!.promise).rejects.toBeInstanceOf(PageAbortedError);
    release.shift()!();
    await loads[0]!.promise;
    await Promise.resolve();
    expect(asked).toEqual([1, 2, 5]);
    expect(images.get('f', 1, 1)).toBe('data:image/png;base64,p1');
  });

  it('keeps a bounded number of images, least recently used out first', async () => {
    const images = new PageImages(async (_f, page) => ({ mime: 'image/jpeg', data: String(page) }), 2);
    await images.load('f', 1, 1).promise;
    await images.load('f', 2, 1).promise;
    images.get('f', 1, 1);
    await images.load('f', 3, 1).promise;
    expect(images.size).toBe(2);
    expect(images.get('f', 2, 1)).toBeUndefined();
    expect(images.anyScale('f', 1)).toBe('data:image/jpeg;base64,1');
  });

  it('remembers the pages whose images could not be checked (blind), at any scale', async () => {
    const images = new PageImages(async (_f, page) => ({ mime: 'image/png', data: String(page), unverifiedImages: page === 2 }), 1);
    await images.load('f', 1, 1).promise;
    await images.load('f', 2, 1).promise;
    await images.load('f', 3, 1).promise; // pushes page 2's image out of the cache
    expect([1, 2, 3].map((p) => images.hasUnverifiedImages('f', p))).toEqual([false, true, false]);
    expect(images.hasUnverifiedImages('g', 2)).toBe(false);
  });
});

describe('no-copy shortcuts', () => {
  it('refuses print, save and copy outside text fields, allows copy inside them', () => {
    expect(isBlockedShortcut(key('p'), false)).toBe(true);
    expect(isBlockedShortcut(key('S'), false)).toBe(true);
    expect(isBlockedShortcut(key('c'), false)).toBe(true);
    expect(isBlockedShortcut(key('c'), true)).toBe(false);
    expect(isBlockedShortcut(key('p'), true)).toBe(true);
    expect(isBlockedShortcut(key('c', false), false)).toBe(false);
    expect(isBlockedShortcut(key('PrintScreen', false), false)).toBe(true);
  });
});
