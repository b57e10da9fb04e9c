import { useCallback } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { prelimKey } from './review-view.ts';
import { useCellAutosave } from './useCellAutosave.dom.ts';

type Api = ApiConnection<BoothContract>['api'];

export interface VerdictEdit {
  readonly pass: boolean | null;
  /** Omitted: the stored reason stays. */
  readonly reason?: string;
}

export interface PreliminaryEdits {
  /** Set on screen, not yet confirmed by the services, by prelimKey. */
  readonly pending: ReadonlyMap<string, VerdictEdit>;
  /** The last failed save of a cell; cleared by its next successful save. */
  readonly errors: ReadonlyMap<string, ApiError>;
  readonly saving: boolean;
  readonly save: (bid: string, item: string, edit: VerdictEdit) => void;
}

/** Keeps the reason an edit leaves out (a reason typed while a verdict is on its way is not lost). */
const mergeVerdict = (earlier: VerdictEdit | undefined, edit: VerdictEdit): VerdictEdit => ({ pass: edit.pass, reason: edit.reason ?? earlier?.reason });

/**
 * Autosave of the preliminary verdicts, like the score sheet's (useCellAutosave): each change goes to
 * savePreliminary at once; the answer (the whole review) replaces the view.
 */
export function usePreliminary(api: Api, setReview: (review: ReviewView) => void): PreliminaryEdits {
  const cells = useCellAutosave<VerdictEdit>(mergeVerdict);
  const { save: saveCell } = cells;
  const save = useCallback(
    (bid: string, item: string, edit: VerdictEdit) =>
      saveCell(prelimKey(bid, item), edit, async (e) => {
        setReview(await api.savePreliminary({ bid, item, pass: e.pass, ...(e.reason === undefined ? {} : { reason: e.reason }) }));
      }),
    [api, setReview, saveCell],
  );
  return { pending: cells.pending, errors: cells.errors, saving: cells.saving, save };
}
