import type { z } from 'zod';
import { badInput } from '@kawei/shared/errors.ts';

/** Parses request input with a shared schema; a mismatch becomes BAD_INPUT naming `where`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw badInput(parsed.error, where);
  return parsed.data;
}
