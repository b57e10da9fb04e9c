import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { toApiError, useConnectionState, useEvent, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';

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

/**
 * The evaluation report as this booth sees it, kept current like the review (useReview.dom.ts): asked
 * for when the expert is at work and each time the host connection becomes ready, then replaced by
 * every `report` event (a message from the central, a download's progress, a signature). An answer
 * older than a newer event is ignored.
 */
export function useReport(client: ApiConnection<BoothContract>, enabled: boolean): ReportState {
  const [report, setReportState] = useState<ReportView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const version = useRef(0);
  const connection = useConnectionState(client.connection);

  const setReport = useCallback((next: ReportView) => {
    version.current++;
    setReportState(next);
    setError(null);
  }, []);

  const subscribe = useCallback((listener: (r: ReportView) => void) => client.on('report', listener), [client]);
  useEvent(subscribe, (next: ReportView) => {
    if (enabled) setReport(next);
  });

  const ready = connection.status === 'ready';
  useEffect(() => {
    if (!ready || !enabled) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const askedAt = version.current;
    client.api.getReport({}).then(
      (fresh) => {
        if (!cancelled && version.current === askedAt) setReport(fresh);
      },
      (reason: unknown) => {
        if (cancelled) return;
        setError(toApiError(reason));
        timer = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
      },
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [ready, enabled, client, setReport, attempt]);

  // A new expert (logout, then another login) never sees the previous one's report.
  useEffect(() => {
    if (!enabled) {
      version.current++;
      setReportState(null);
      setError(null);
    }
  }, [enabled]);

  const refresh = useCallback(() => setAttempt((n) => n + 1), []);
  return { report, error, setReport, refresh };
}
