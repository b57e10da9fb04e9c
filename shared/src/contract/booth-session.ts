/**
 * What the booth's screen and its trusted services say to each other during an expert's day. The
 * renderer captures frames, shows pages and collects taps; the Node services hold the face template,
 * the tender files (with the bidders' real names), the USB key session and the score sheet, and make
 * every decision.
 *
 * Privacy rules built into these shapes:
 * - the expert appears only by the day's code name (HK-37), never by name;
 * - in blind mode (暗标) bidders appear only by their codes: page images come already covered,
 *   text layers, outlines, titles and search results already replaced (shared/src/tender); nothing
 *   here can carry a bidder's name to the renderer of a blind project;
 * - every page image carries the watermark (code name, booth, time), burnt in on the trusted side.
 */
import { z } from 'zod';
import { jpegBase64Schema } from './gate-check.ts';
import { LIVENESS_CHALLENGES } from './gate-check.ts';
import { QUALITY_REASONS } from '../face/face-types.ts';
import { recheckTargetSchema } from '../committee/committee-view.ts';

export const BOOTH_PHASES = [
  /** No roster for today, or before login: the idle screen shows only the booth label. */
  'idle',
  /** Face login in progress (1:1 + active liveness). */
  'login',
  /** Logged in; the commitment letter (评标承诺书) waits for the USB-key signature. */
  'commitment',
  /** Reading files and scoring. */
  'working',
  /** Score sheet signed and frozen. */
  'submitted',
  /** Locked: USB key removed, a re-check failed, or staff were called. */
  'locked',
] as const;
export type BoothPhase = (typeof BOOTH_PHASES)[number];

export const LOCK_REASONS = ['token_removed', 'recheck_failed', 'different_person', 'login_failures', 'expert_absent'] as const;

export const boothSessionSchema = z.object({
  phase: z.enum(BOOTH_PHASES),
  boothLabel: z.string(),
  roomName: z.string(),
  /** Today's code name, once logged in. */
  codename: z.string().nullable(),
  project: z
    .object({
      code: z.string(),
      /** The project's public title; null for blind projects where even the title is withheld. */
      title: z.string().nullable(),
      blind: z.boolean(),
      startsAt: z.number().nullable(),
      endsAt: z.number().nullable(),
    })
    .nullable(),
  loginAttemptsLeft: z.number().int().min(0),
  lockReason: z.enum(LOCK_REASONS).nullable(),
  /** A random face re-check is due now: the camera frames answer it. */
  recheckDue: z.boolean(),
  token: z.object({ present: z.boolean(), label: z.string().nullable() }),
  commitmentSigned: z.boolean(),
});
export type BoothSession = z.infer<typeof boothSessionSchema>;

export const cameraFrameInputSchema = z.object({ image: jpegBase64Schema, capturedAt: z.number().nonnegative() });

export const cameraFrameOutputSchema = z.object({
  phase: z.enum(BOOTH_PHASES),
  /** What to tell the expert now (login or re-check); null when nothing is asked. */
  guidance: z
    .object({
      quality: z.enum(QUALITY_REASONS).nullable(),
      challenge: z.enum(LIVENESS_CHALLENGES).nullable(),
      progress: z.number().min(0).max(1),
    })
    .nullable(),
  /** Something that just happened, for a message on screen. */
  notice: z
    .enum(['logged_in', 'login_refused', 'not_seated_here', 'liveness_failed', 'staff_called', 'recheck_passed', 'recheck_failed', 'no_roster'])
    .nullable(),
  processingMs: z.number(),
});
export type CameraFrameOutput = z.infer<typeof cameraFrameOutputSchema>;

export const pinInputSchema = z.object({ pin: z.string().regex(/^\d{4,16}$/, '4–16 digits') });

export const commitmentSchema = z.object({
  /** The letter as the expert reads it, with the code name, project code and date filled in. */
  text: z.string(),
  /** Hex SHA-256 of the canonical document that is signed. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.number().nullable(),
});

export const signResultSchema = z.object({
  signedAt: z.number(),
  /** Subject CN of the signing certificate (the expert's code name on a demo token). */
  signer: z.string(),
  /** Sync-log sequence of the event that carries the signature. */
  eventSeq: z.number().int(),
});

export const tenderFileSchema = z.object({
  fileId: z.string(),
  /** Blind: 投标文件（投标人A）; open: the bidder's document title. */
  title: z.string(),
  bidderCode: z.string(),
  /** downloading: still coming from the central (pages answer FILE_UNAVAILABLE); broken: refused
   * (hash or PDF error) and retried in the background. Page fields are 0 until ready. */
  state: z.enum(['ready', 'downloading', 'broken']),
  pageCount: z.number().int().nonnegative(),
  pageWidth: z.number().nonnegative(),
  pageHeight: z.number().nonnegative(),
});
export type TenderFileView = z.infer<typeof tenderFileSchema>;

export const fileIdInputSchema = z.object({ fileId: z.string().min(1).max(128) });
export const pageInputSchema = fileIdInputSchema.extend({
  /** 1-based. */
  page: z.number().int().min(1),
  /** 0.25 (thumbnail) … 3 (zoomed in). */
  scale: z.number().min(0.1).max(4),
});

/**
 * Blind review covers the bidder names found in a page's TEXT; a name inside an image (a scanned
 * letterhead, a seal, a photo of a sign) cannot be found and is shown as it is. From this share of
 * the page covered by images (shared/src/tender/image-coverage.ts) a blind page is flagged
 * `unverifiedImages` and the viewer warns the expert. 5 %: a letterhead strip or a seal is roughly
 * that on A4 (a 4 cm seal is about 2.5 %, so two seals or a logo row reach it), while decorations
 * such as rules and bullets stay well below; the estimate errs up, so a borderline page warns.
 */
export const BLIND_IMAGE_WARN_SHARE = 0.05;

export const pageImageSchema = z.object({
  page: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  mime: z.enum(['image/png', 'image/jpeg']),
  /** Base64 of the image, watermarked and (blind) redacted. */
  data: z.string(),
  /** Share (0…1) of the page covered by raster images (an estimate that errs up). */
  imageShare: z.number().min(0).max(1),
  /** Blind project and imageShare ≥ BLIND_IMAGE_WARN_SHARE: images the system could not check for names. */
  unverifiedImages: z.boolean(),
});

export const textLayerSchema = z.object({
  page: z.number().int(),
  width: z.number(),
  height: z.number(),
  items: z.array(z.object({ text: z.string(), x: z.number(), y: z.number(), width: z.number(), height: z.number() })),
});

export interface OutlineNode {
  title: string;
  page: number | null;
  children: OutlineNode[];
}
export const outlineNodeSchema: z.ZodType<OutlineNode> = z.lazy(() =>
  z.object({ title: z.string(), page: z.number().int().nullable(), children: z.array(outlineNodeSchema) }),
);

export const searchInputSchema = fileIdInputSchema.extend({ query: z.string().trim().min(1).max(100) });
export const searchHitSchema = z.object({ page: z.number().int(), count: z.number().int(), snippet: z.string() });

export const criterionSchema = z.object({
  id: z.string(),
  /** The item's name (a plain `criteria` project: 技术 / 商务 / 价格 …). */
  name: z.string(),
  max: z.number().positive(),
  /** Scoring rules (committee/evaluation-rules.ts): the item's group id, the rule text, objective or subjective. */
  group: z.string().optional(),
  description: z.string().optional(),
  kind: z.enum(['objective', 'subjective']).optional(),
  /** Objective items: the only scores allowed. */
  options: z.array(z.number()).optional(),
  /** Subjective items with tiers (优/良/中/差): a score lies inside one of them. */
  tiers: z.array(z.object({ label: z.string(), min: z.number(), max: z.number() })).optional(),
});

export const scoreSheetSchema = z.object({
  criteria: z.array(criterionSchema),
  bidders: z.array(z.string()),
  /** scores[bidderCode][criterionId]: null = not yet scored. */
  scores: z.record(z.string(), z.record(z.string(), z.number().nullable())),
  /** notes[bidderCode][criterionId]: required for a very high or very low score. */
  notes: z.record(z.string(), z.record(z.string(), z.string())),
  status: z.enum(['draft', 'submitted']),
  savedAt: z.number().nullable(),
  submittedAt: z.number().nullable(),
  /**
   * Cells that still block submission, with why: not_an_option (an objective item's score that its
   * rule does not allow), outside_tiers (a subjective score in none of the item's tiers, or outside
   * the tier the expert chose).
   */
  problems: z.array(
    z.object({
      bidder: z.string(),
      criterion: z.string(),
      problem: z.enum(['missing', 'out_of_range', 'note_required', 'not_an_option', 'outside_tiers']),
    }),
  ),
  /** 1, then +1 each time the committee sends the sheet back for re-check (复核). */
  revision: z.number().int().min(1).default(1),
  /** Why the sheet came back (absent on a first sheet). */
  recheck: recheckTargetSchema.nullable().default(null),
  /** Chosen tiers, tiers[bidderCode][criterionId] (subjective items with tiers). */
  tiers: z.record(z.string(), z.record(z.string(), z.string())).default({}),
});
export type ScoreSheet = z.infer<typeof scoreSheetSchema>;

export const saveScoreInputSchema = z.object({
  bidder: z.string().min(1).max(16),
  criterion: z.string().min(1).max(64),
  /** Null clears the cell. Half points allowed. */
  value: z.number().min(0).max(1000).multipleOf(0.5).nullable(),
  note: z.string().trim().max(500).optional(),
  /** A tier label of the item (优/良/中/差): the value must lie inside it. Undefined keeps the stored tier, '' clears it. */
  tier: z.string().max(8).optional(),
});
