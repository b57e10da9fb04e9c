import { FACES_BOOTH_MESSAGE, facesBoothPayloadSchema, type FacesBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { encodeEmbedding } from '@kawei/shared/api/gate-roster.ts';
import type { CommitteeMember } from '@kawei/shared/committee/committee-events.ts';
import type { RegisteredExpert } from '../experts/face-registry.node.ts';

/**
 * The replacement's face template for the booth it now sits at (`faces.booth`, as publish-rosters
 * sends the seated experts': template and model, nothing else about the person), or null when the
 * registry has no usable photo of the alternate — the booth then cannot log them in by face.
 */
export function alternateFacesMessage(
  registry: { model: string; experts: readonly Pick<RegisteredExpert, 'id' | 'template'>[] },
  member: Pick<CommitteeMember, 'expert' | 'device'>,
  date: string,
): { deviceId: string; type: typeof FACES_BOOTH_MESSAGE; payload: FacesBoothPayload } | null {
  const template = registry.experts.find((e) => e.id === member.expert)?.template ?? null;
  if (template === null) return null;
  const payload = facesBoothPayloadSchema.parse({ date, expert: member.expert, model: registry.model, embedding: encodeEmbedding(template) });
  return { deviceId: member.device, type: FACES_BOOTH_MESSAGE, payload };
}
