import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { usePushedView } from '../usePushedView.dom.ts';

/** While getReport fails (services starting, no project yet), ask again this often. */
const RETRY_MS = 5000;

export interface ReportState {
  /** null until the first answer (and while the report cannot be read: the workspace shows the review as before). */
  readonly report: ReportView | null;
  readonly error: ApiError | null;
  /** For calls that answer with a fresh view (a dissent, a signature, a refusal). */
  readonly setReport: (report: ReportView) => void;
  readonly refresh: () => void;
}

const getReport = (client: ApiConnection<BoothContract>) => client.api.getReport({});
const onReport = (client: ApiConnection<BoothContract>, listener: (report: ReportView) => void) => client.on('report', listener);

/**
 * The evaluation report as this booth sees it, kept current like the review (usePushedView): asked
 * for when the expert is at work, then replaced by every `report` event (a message from the central,
 * a download's progress, a signature). A new expert never sees the previous one's report.
 */
export function useReport(client: ApiConnection<BoothContract>, enabled: boolean): ReportState {
  const { view, error, setView, refresh } = usePushedView(client, getReport, onReport, { enabled, retryMs: RETRY_MS });
  return { report: view, error, setReport: setView, refresh };
}
