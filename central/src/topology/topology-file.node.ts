import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { badInput } from '@kawei/shared/errors.ts';
import { gateSchema, roomSchema, siteSchema } from '@kawei/shared/domain/topology.ts';
import type { TopologySiteImport } from '../storage/central-store.ts';

/** The demo layout `seed-demo` loads: two sites, three rooms, two gates. */
export const DEMO_TOPOLOGY_FILE = fileURLToPath(new URL('../../../resources/demo/demo-topology.json', import.meta.url));

/** A topology file lists sites with their rooms and gates; site ids are implied by nesting. */
export const topologyFileSchema = z.object({
  sites: z.array(
    siteSchema.extend({
      rooms: z.array(roomSchema.omit({ siteId: true })),
      gates: z.array(gateSchema.omit({ siteId: true })),
    }),
  ),
});

export function readTopologyFile(file: string): TopologySiteImport[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read topology file ${file}: ${(error as Error).message}`);
  }
  const parsed = topologyFileSchema.safeParse(json);
  if (!parsed.success) throw badInput(parsed.error, file);
  return parsed.data.sites;
}
